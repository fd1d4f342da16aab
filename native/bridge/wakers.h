// wakers.h — JS-thread side of the wakers (see bridge_state.cc).
#ifndef OAIR_WAKERS_H
#define OAIR_WAKERS_H
#include <uv.h>
namespace oair {
int waker_acquire(uv_async_t* async);  // -1 when all slots are taken
void waker_disarm(int waker);          // no uv_async_send on it after this returns
bool waker_take_media(int waker);      // clears and returns the media-pending flag
bool waker_media_pending(int waker);   // reads it without clearing
bool waker_take_commands(int waker);
}  // namespace oair
#endif
