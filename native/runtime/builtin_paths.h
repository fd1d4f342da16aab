/* Where libnode's externalized builtins are read from: a private copy beside libnode, else the
 * Debian paths. See builtin_paths.cc. C-callable (the FreeSWITCH module checks them before start). */
#ifndef OAIR_BUILTIN_PATHS_H
#define OAIR_BUILTIN_PATHS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* `path` (a /usr/share/nodejs/<pkg>/... file Debian's libnode reads at start) as it will really be
 * opened: the copy in <libnode's directory>/libnode-js/<pkg>/... when that directory exists (a
 * self-contained install), else `path` itself. Uses `buf` (of `len` bytes) when it rewrites. */
const char *oair_node_builtin_path(const char *path, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
