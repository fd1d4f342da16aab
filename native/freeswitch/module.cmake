# mod_openai_realtime.so — the FreeSWITCH module. Included by CMakeLists.txt when
# `pkg-config freeswitch` finds FreeSWITCH (FREESWITCH_* variables from pkg_check_modules).
#
#   cmake --install <build dir>            module     → $(pkg-config --variable=modulesdir freeswitch)
#                                          bundle     → OAIR_BUNDLE_DIR (dist/, package.json, node_modules/{ws,node-gyp-build},
#                                                         examples/tool-handlers.mjs)
#                                          config     → <confdir>/autoload_configs/openai_realtime.conf.xml, only if absent
#
# Linking rules (reference-embedding-libnode.md §6, DESIGN.md §4): hidden visibility everywhere and a
# version script exporting only mod_openai_realtime_module_interface (which needs
# -DSWITCH_API_VISIBILITY=1, or switch.h leaves it hidden too); -z nodelete, because libnode can be
# initialised once per process and a reload must find the same mapping; switch.h and node.h never
# meet in one translation unit (the C file here, runtime.cc there).

pkg_get_variable(FREESWITCH_MODULESDIR freeswitch modulesdir)
pkg_get_variable(FREESWITCH_CONFDIR freeswitch confdir)
pkg_get_variable(FREESWITCH_PREFIX freeswitch prefix)
if(NOT FREESWITCH_MODULESDIR)
  set(FREESWITCH_MODULESDIR "${FREESWITCH_PREFIX}/lib/freeswitch/mod")
endif()

set(OAIR_BUNDLE_DIR "${FREESWITCH_PREFIX}/share/mod_openai_realtime" CACHE PATH
    "Where the runtime bundle (dist/, package.json, node_modules/) is installed; the module's default bundle-dir")
set(OAIR_FS_MODULESDIR "${FREESWITCH_MODULESDIR}" CACHE PATH "Where mod_openai_realtime.so is installed")
set(OAIR_FS_CONFDIR "${FREESWITCH_CONFDIR}" CACHE PATH "FreeSWITCH configuration directory (autoload_configs/ lives here)")

# RPATH: libnode's directory (a local unpack in development) and FreeSWITCH's libdir, no empty entry.
set(_oair_rpath ${LIBNODE_LIBDIR} ${FREESWITCH_LIBRARY_DIRS})
list(REMOVE_ITEM _oair_rpath "")
list(REMOVE_DUPLICATES _oair_rpath)

set(_oair_exports ${CMAKE_CURRENT_BINARY_DIR}/mod_openai_realtime.exports)
file(WRITE ${_oair_exports} "{\n  global: mod_openai_realtime_module_interface;\n  local: *;\n};\n")

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
  BUILD_WITH_INSTALL_RPATH ON
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
install(DIRECTORY ${CMAKE_SOURCE_DIR}/dist/ DESTINATION ${OAIR_BUNDLE_DIR}/dist
        FILES_MATCHING PATTERN "*.js" PATTERN "*.json")
install(FILES ${CMAKE_SOURCE_DIR}/package.json DESTINATION ${OAIR_BUNDLE_DIR})
# The example tool handlers (module setting tool-handlers), ready to point at or copy.
install(FILES ${CMAKE_SOURCE_DIR}/examples/tool-handlers.mjs DESTINATION ${OAIR_BUNDLE_DIR}/examples)
# Production dependencies only (package.json "dependencies"); ws runs without its optional native
# helpers (the runtime forbids addons).
foreach(_dep ws node-gyp-build)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/node_modules/${_dep} DESTINATION ${OAIR_BUNDLE_DIR}/node_modules)
endforeach()
# The sample configuration, never over an operator's own file.
install(CODE "
  set(_conf \"\$ENV{DESTDIR}${OAIR_FS_CONFDIR}/autoload_configs/openai_realtime.conf.xml\")
  if(EXISTS \"\${_conf}\")
    message(STATUS \"Keeping existing: \${_conf}\")
  else()
    file(READ \"${CMAKE_SOURCE_DIR}/native/freeswitch/openai_realtime.conf.xml\" _sample)
    string(REPLACE \"@OAIR_BUNDLE_DIR@\" \"${OAIR_BUNDLE_DIR}\" _sample \"\${_sample}\")
    file(WRITE \"\${_conf}\" \"\${_sample}\")
    message(STATUS \"Installing: \${_conf}\")
  endif()")
message(STATUS "mod_openai_realtime: module → ${OAIR_FS_MODULESDIR}, bundle → ${OAIR_BUNDLE_DIR}, config → ${OAIR_FS_CONFDIR}/autoload_configs")
