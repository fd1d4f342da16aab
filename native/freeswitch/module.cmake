# mod_openai_realtime.so — the FreeSWITCH module. Included by CMakeLists.txt when
# `pkg-config freeswitch` finds FreeSWITCH (FREESWITCH_* variables from pkg_check_modules).
#
#   cmake --install <build dir>            module     → OAIR_FS_MODULESDIR ($(pkg-config --variable=modulesdir freeswitch))
#                                          config     → <confdir>/autoload_configs/openai_realtime.conf.xml, only if absent
#   (bundle and private libnode: cmake/OairInstall.cmake; the layout: cmake/OairLayout.cmake)
#
# Linking rules (docs/embedding.md §6, docs/DESIGN.md §4): hidden visibility everywhere and a
# version script exporting only mod_openai_realtime_module_interface and uv_fs_open (the first needs
# -DSWITCH_API_VISIBILITY=1, or switch.h leaves it hidden too); -z nodelete, because libnode can be
# initialised once per process and a reload must find the same mapping; switch.h and node.h never
# meet in one translation unit (the C file here, runtime.cc there).

# Directories (OAIR_FS_MODULESDIR, OAIR_BUNDLE_DIR, OAIR_PRIVATE_LIBDIR, ...): cmake/OairLayout.cmake.
# RUNPATH: in the build tree, libnode's directory (a local unpack in development) and FreeSWITCH's
# libdir; installed, only the private libnode relative to the module ($ORIGIN/...): never the
# checkout nor the build machine's FreeSWITCH (libfreeswitch is loaded by FreeSWITCH before any module).
set(_oair_build_rpath ${LIBNODE_LIBDIR} ${FREESWITCH_LIBRARY_DIRS})
list(REMOVE_ITEM _oair_build_rpath "")
list(REMOVE_DUPLICATES _oair_build_rpath)
oair_origin_rpath(_oair_rpath "${OAIR_FS_MODULESDIR}")

set(_oair_exports ${CMAKE_CURRENT_BINARY_DIR}/mod_openai_realtime.exports)
# uv_fs_open is exported so that libnode, loaded as the module's dependency, binds to the module's
# definition (native/runtime/builtin_paths.cc: the private copy of libnode's JS builtins).
file(WRITE ${_oair_exports} "{\n  global: mod_openai_realtime_module_interface; uv_fs_open;\n  local: *;\n};\n")

add_library(mod_openai_realtime MODULE
  native/freeswitch/mod_openai_realtime.c
  $<TARGET_OBJECTS:oair_bridge> $<TARGET_OBJECTS:oair_runtime>)
set_target_properties(mod_openai_realtime PROPERTIES
  PREFIX ""
  C_VISIBILITY_PRESET hidden
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON
  LINKER_LANGUAGE CXX
  LINK_DEPENDS ${_oair_exports}
  BUILD_RPATH "${_oair_build_rpath}"
  INSTALL_RPATH "${_oair_rpath}")
# switch.h is not -Wextra clean: include it as a system header, keep our own code -Werror.
target_include_directories(mod_openai_realtime SYSTEM PRIVATE ${FREESWITCH_INCLUDE_DIRS})
target_compile_definitions(mod_openai_realtime PRIVATE
  SWITCH_API_VISIBILITY=1
  OAIR_DEFAULT_BUNDLE_DIR="${OAIR_BUNDLE_DIR}")
target_compile_options(mod_openai_realtime PRIVATE ${OAIR_WARNINGS} ${FREESWITCH_CFLAGS_OTHER})
target_link_directories(mod_openai_realtime PRIVATE ${FREESWITCH_LIBRARY_DIRS})
target_link_libraries(mod_openai_realtime PRIVATE ${FREESWITCH_LIBRARIES} ${RUNTIME_LINK})
target_link_options(mod_openai_realtime PRIVATE
  -Wl,--version-script=${_oair_exports}
  -Wl,-z,nodelete
  -Wl,-z,now
  -Wl,--no-undefined
  -Wl,--exclude-libs,ALL)

# ---- install
install(TARGETS mod_openai_realtime LIBRARY DESTINATION ${OAIR_FS_MODULESDIR}
        PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
# The bundle and the private libnode: cmake/OairInstall.cmake.
# The sample configuration: cmake/OairInstall.cmake.
message(STATUS "mod_openai_realtime: module → ${OAIR_FS_MODULESDIR}, bundle → ${OAIR_BUNDLE_DIR}, config → ${OAIR_FS_CONFDIR}/autoload_configs")
