# Install layout: where `cmake --install` (and `npm run package`) put each piece. Absolute paths;
# DESTDIR stages them elsewhere. Everything the module loads is found relative to where it is
# installed ($ORIGIN RUNPATH), never in the build checkout.
#
#   OAIR_FS_MODULESDIR    mod_openai_realtime.so            $(pkg-config --variable=modulesdir freeswitch)
#   OAIR_FS_CONFDIR       autoload_configs/openai_realtime.conf.xml goes under it (only if absent)
#   OAIR_BUNDLE_DIR       dist/, package.json, node_modules/{ws,node-gyp-build,prom-client,...}, examples/
#   OAIR_PRIVATE_LIBDIR   libnode.so.108 and libnode-js/{acorn,acorn-walk,cjs-module-lexer,undici}
#                         (OAIR_PRIVATE_LIBNODE=ON, the default: the host needs no libnode108 package)
#   OAIR_SIMULATOR_DIR    oair-sim, the host simulator (OAIR_INSTALL_SIMULATOR=ON; for tests of the layout)
#
# Typical layouts:
#   source-built FreeSWITCH   modules /usr/local/freeswitch/mod, conf /usr/local/freeswitch/conf,
#                             bundle /usr/local/freeswitch/share/mod_openai_realtime (all from pkg-config)
#   SignalWire packages       -DOAIR_FS_MODULESDIR=/usr/lib/freeswitch/mod -DOAIR_FS_CONFDIR=/etc/freeswitch
#                             -DOAIR_BUNDLE_DIR=/usr/lib/mod_openai_realtime (what scripts/package-deb.sh does)
if(FREESWITCH_FOUND)
  pkg_get_variable(FREESWITCH_MODULESDIR freeswitch modulesdir)
  pkg_get_variable(FREESWITCH_CONFDIR freeswitch confdir)
  pkg_get_variable(FREESWITCH_PREFIX freeswitch prefix)
  if(NOT FREESWITCH_MODULESDIR)
    set(FREESWITCH_MODULESDIR "${FREESWITCH_PREFIX}/lib/freeswitch/mod")
  endif()
  set(_oair_default_bundle "${FREESWITCH_PREFIX}/share/mod_openai_realtime")
else()
  set(FREESWITCH_MODULESDIR "${CMAKE_INSTALL_PREFIX}/lib/freeswitch/mod")
  set(FREESWITCH_CONFDIR "${CMAKE_INSTALL_PREFIX}/etc/freeswitch")
  set(_oair_default_bundle "${CMAKE_INSTALL_PREFIX}/share/mod_openai_realtime")
endif()

set(OAIR_BUNDLE_DIR "${_oair_default_bundle}" CACHE PATH
    "Where the runtime bundle (dist/, package.json, node_modules/) is installed; the module's default bundle-dir")
set(OAIR_FS_MODULESDIR "${FREESWITCH_MODULESDIR}" CACHE PATH "Where mod_openai_realtime.so is installed")
set(OAIR_FS_CONFDIR "${FREESWITCH_CONFDIR}" CACHE PATH "FreeSWITCH configuration directory (autoload_configs/ lives here)")
option(OAIR_PRIVATE_LIBNODE "Install a private copy of libnode 18 and the JS files it loads beside the bundle" ON)
set(OAIR_PRIVATE_LIBDIR "${OAIR_BUNDLE_DIR}/lib" CACHE PATH "Where the private libnode.so.108 and libnode-js/ are installed")
option(OAIR_INSTALL_SIMULATOR "Also install the host simulator (oair-sim), e.g. to test an install without FreeSWITCH" OFF)
set(OAIR_SIMULATOR_DIR "${OAIR_BUNDLE_DIR}/bin" CACHE PATH "Where oair-sim is installed (OAIR_INSTALL_SIMULATOR)")
set(OAIR_CONFIG_SAMPLE ON CACHE BOOL "Install the sample openai_realtime.conf.xml (never over an existing one)")

foreach(_dir OAIR_BUNDLE_DIR OAIR_FS_MODULESDIR OAIR_FS_CONFDIR OAIR_PRIVATE_LIBDIR OAIR_SIMULATOR_DIR)
  if(NOT IS_ABSOLUTE "${${_dir}}")
    message(FATAL_ERROR "${_dir} must be an absolute path (got '${${_dir}}')")
  endif()
endforeach()

# "$ORIGIN/<path from from_dir to the private libnode>": the RUNPATH of a binary installed in from_dir.
function(oair_origin_rpath out from_dir)
  if(OAIR_PRIVATE_LIBNODE)
    file(RELATIVE_PATH _rel "${from_dir}" "${OAIR_PRIVATE_LIBDIR}")
    if(_rel STREQUAL "")
      set(_rel ".")
    endif()
    set(${out} "\$ORIGIN/${_rel}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()
