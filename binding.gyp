{
  "targets": [
    {
      "target_name": "oair_bridge",
      "sources": [
        "native/bridge/channel.cc",
        "native/bridge/channel_table.cc",
        "native/bridge/bridge_state.cc",
        "native/bridge/binding.cc",
        "native/bridge/addon.cc",
        "native/bridge/test_host.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS", "BRIDGE_ADDON"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-fexceptions"],
      "cflags": ["-Wall", "-Wextra", "-Werror"]
    }
  ]
}
