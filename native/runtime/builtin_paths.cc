// Debian's libnode108 is built with its JS dependencies "externalized": when it creates an
// Environment it reads acorn, acorn-walk, cjs-module-lexer and undici from fixed paths under
// /usr/share/nodejs (compiled into the library) and aborts the process if one is missing. Those
// files come from Debian packages (node-acorn, ...) that cannot be installed on a host whose Node is
// NodeSource's, and a self-contained install must not need them at all.
//
// libnode reads them through libuv's uv_fs_open (node's ReadFileSync). This file defines
// uv_fs_open with default visibility, so it is the definition libnode binds to (the executable
// comes first in symbol lookup; in the FreeSWITCH module, which exports it through its version
// script, the module comes before libuv in its own dependency scope). It forwards every call to
// libuv's, changing only a path under /usr/share/nodejs/<one of the four packages>/ into the same
// file under <directory of the loaded libnode.so.108>/libnode-js/, when that directory exists. With
// a system libnode there is no such directory, so Debian's files are used as before.
#include "builtin_paths.h"

#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <unistd.h>
#include <uv.h>

#include <cstring>
#include <string>

namespace {

constexpr char kSystemDir[] = "/usr/share/nodejs/";
constexpr size_t kSystemDirLen = sizeof kSystemDir - 1;
constexpr char kPrivateDirName[] = "libnode-js/";
constexpr char kLibnodeSuffix[] = "/libnode.so.108";
const char* const kPackages[] = {"acorn/", "acorn-walk/", "cjs-module-lexer/", "undici/"};

// <dir of the loaded libnode.so.108>/libnode-js/ if it exists, else "".
std::string find_private_dir() {
  std::string libdir;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) -> int {
        const char* name = info->dlpi_name;
        if (name == nullptr) return 0;
        size_t n = std::strlen(name);
        size_t s = sizeof kLibnodeSuffix - 1;
        if (n < s || std::strcmp(name + n - s, kLibnodeSuffix) != 0) return 0;
        static_cast<std::string*>(data)->assign(name, n - s + 1);  // keep the trailing '/'
        return 1;
      },
      &libdir);
  if (libdir.empty()) return libdir;
  std::string dir = libdir + kPrivateDirName;
  return access(dir.c_str(), R_OK | X_OK) == 0 ? dir : std::string();
}

extern "C" int uv_fs_open(uv_loop_t*, uv_fs_t*, const char*, int, int, uv_fs_cb);

// Would libnode's uv_fs_open calls reach this file's definition? Not if some library loaded with
// RTLD_GLOBAL before us (another FreeSWITCH module loaded global="true") put libuv in the global
// scope: libnode binds to that one. Then the private copy cannot be used, and the paths reported
// are Debian's, so the module's start check asks for those instead of letting libnode abort.
bool redirect_effective() {
  void* global = dlsym(RTLD_DEFAULT, "uv_fs_open");
  return global == nullptr || global == reinterpret_cast<void*>(&uv_fs_open);
}

const std::string& private_dir() {
  // thread-safe initialisation (C++11)
  static const std::string dir = redirect_effective() ? find_private_dir() : std::string();
  return dir;
}

bool is_builtin_package_path(const char* path) {
  if (std::strncmp(path, kSystemDir, kSystemDirLen) != 0) return false;
  for (const char* pkg : kPackages) {
    if (std::strncmp(path + kSystemDirLen, pkg, std::strlen(pkg)) == 0) return true;
  }
  return false;
}

}  // namespace

extern "C" const char* oair_node_builtin_path(const char* path, char* buf, size_t len) {
  if (path == nullptr || !is_builtin_package_path(path)) return path;
  const std::string& dir = private_dir();
  if (dir.empty()) return path;
  const char* rest = path + kSystemDirLen;
  if (dir.size() + std::strlen(rest) + 1 > len) return path;
  std::memcpy(buf, dir.data(), dir.size());
  std::strcpy(buf + dir.size(), rest);
  return buf;
}

extern "C" __attribute__((visibility("default"))) int uv_fs_open(uv_loop_t* loop, uv_fs_t* req, const char* path, int flags,
                                                                 int mode, uv_fs_cb cb) {
  using OpenFn = int (*)(uv_loop_t*, uv_fs_t*, const char*, int, int, uv_fs_cb);
  static const OpenFn real = reinterpret_cast<OpenFn>(dlsym(RTLD_NEXT, "uv_fs_open"));
  if (real == nullptr) return UV_ENOSYS;
  // Synchronous opens (cb == NULL, node's ReadFileSync) complete before this returns; libuv copies
  // the path of asynchronous ones. So a per-thread buffer outlives every use of the new path.
  thread_local char buf[PATH_MAX];
  return real(loop, req, oair_node_builtin_path(path, buf, sizeof buf), flags, mode, cb);
}
