# Install rules for what every host needs beside its binary (directories: OairLayout.cmake):
#
#   OAIR_BUNDLE_DIR/       dist/ (compiled JS), package.json, node_modules/{ws,node-gyp-build,
#                          prom-client and its three dependencies} (the production dependencies; ws runs without its optional native helpers, the
#                          runtime forbids addons), examples/tool-handlers.mjs
#   OAIR_PRIVATE_LIBDIR/   libnode.so.108 (a copy of the one built against) and libnode-js/<pkg>/...,
#                          the five JS files Debian's libnode reads at start (found there by
#                          native/runtime/builtin_paths.cc), with their copyright files
#   OAIR_SIMULATOR_DIR/    oair-sim, RUNPATH $ORIGIN/... (OAIR_INSTALL_SIMULATOR=ON)
#   OAIR_FS_CONFDIR/autoload_configs/openai_realtime.conf.xml   the sample, never over an existing one
#
# libnode's own dependencies (libuv1, libssl3, libicu72, libc-ares2, libnghttp2-14, libbrotli1,
# zlib1g) are ordinary Debian packages, installable beside any Node (NodeSource's too).

install(DIRECTORY ${CMAKE_SOURCE_DIR}/dist/ DESTINATION ${OAIR_BUNDLE_DIR}/dist
        FILES_MATCHING PATTERN "*.js" PATTERN "*.json"
        PATTERN "cli" EXCLUDE PATTERN "simulator" EXCLUDE)
install(FILES ${CMAKE_SOURCE_DIR}/package.json DESTINATION ${OAIR_BUNDLE_DIR})
install(FILES ${CMAKE_SOURCE_DIR}/examples/tool-handlers.mjs DESTINATION ${OAIR_BUNDLE_DIR}/examples)
# prom-client (the metrics, src/status/sessionMetrics.ts) with what it requires: @opentelemetry/api,
# tdigest and tdigest's bintrees (pure JS).
foreach(_dep ws node-gyp-build prom-client @opentelemetry/api tdigest bintrees)
  # A scoped package (@scope/name) goes into node_modules/@scope/.
  get_filename_component(_scope "node_modules/${_dep}" DIRECTORY)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/node_modules/${_dep} DESTINATION ${OAIR_BUNDLE_DIR}/${_scope})
endforeach()

if(OAIR_PRIVATE_LIBNODE)
  get_filename_component(_oair_libnode_real "${LIBNODE_LIBRARY}" REALPATH)
  install(FILES ${_oair_libnode_real} DESTINATION ${OAIR_PRIVATE_LIBDIR} RENAME libnode.so.108
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  # The JS files come from the same place as libnode: LIBNODE_ROOT/usr/share/nodejs (setup.sh's
  # unpack), else the system's /usr/share/nodejs (LIBNODE_ROOT=/ with Debian's node-* packages).
  set(_oair_js_root "${LIBNODE_ROOT}/usr/share/nodejs")
  if(NOT EXISTS "${_oair_js_root}/acorn/dist/acorn.js")
    set(_oair_js_root "/usr/share/nodejs")
  endif()
  set(_oair_doc_root "${LIBNODE_ROOT}/usr/share/doc")
  foreach(_f acorn/dist/acorn.js acorn-walk/dist/walk.js cjs-module-lexer/lexer.js cjs-module-lexer/dist/lexer.js undici/undici-fetch.js)
    if(NOT EXISTS "${_oair_js_root}/${_f}")
      message(FATAL_ERROR "${_oair_js_root}/${_f} not found: libnode 18 needs it at start (run scripts/setup.sh, or install node-acorn, node-cjs-module-lexer and node-undici), or configure with -DOAIR_PRIVATE_LIBNODE=OFF")
    endif()
    get_filename_component(_real "${_oair_js_root}/${_f}" REALPATH)
    get_filename_component(_sub "${_f}" DIRECTORY)
    get_filename_component(_name "${_f}" NAME)
    install(FILES ${_real} DESTINATION ${OAIR_PRIVATE_LIBDIR}/libnode-js/${_sub} RENAME ${_name})
  endforeach()
  foreach(_pkg libnode108 node-acorn node-cjs-module-lexer node-undici)
    foreach(_doc_root "${_oair_doc_root}" "/usr/share/doc")
      if(EXISTS "${_doc_root}/${_pkg}/copyright")
        install(FILES "${_doc_root}/${_pkg}/copyright" DESTINATION ${OAIR_PRIVATE_LIBDIR}/copyright RENAME ${_pkg})
        break()
      endif()
    endforeach()
  endforeach()
  message(STATUS "private libnode: ${_oair_libnode_real} + ${_oair_js_root}/{acorn,acorn-walk,cjs-module-lexer,undici} → ${OAIR_PRIVATE_LIBDIR}")
endif()

if(OAIR_INSTALL_SIMULATOR)
  oair_origin_rpath(_oair_sim_rpath "${OAIR_SIMULATOR_DIR}")
  set_target_properties(oair-sim PROPERTIES INSTALL_RPATH "${_oair_sim_rpath}")
  install(TARGETS oair-sim RUNTIME DESTINATION ${OAIR_SIMULATOR_DIR})
endif()

# The sample configuration, never over an operator's own file.
if(OAIR_CONFIG_SAMPLE)
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
endif()
