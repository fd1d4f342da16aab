/*
 * host.h — the one interface between a host process and the embedded runtime.
 *
 * Two hosts implement it: native/freeswitch (mod_openai_realtime.so inside FreeSWITCH) and
 * native/simulator (the host simulator used by CI). Nothing above this header knows which host
 * it runs in.
 *
 * Threads (docs/DESIGN.md §3):
 *   - media threads call only the oair_channel_* "media" functions below: lock-free, allocation-free,
 *     never blocking, never calling into JS;
 *   - API threads call oair_runtime_command(), which queues the command and waits for JS's reply;
 *   - the Node thread calls the host's oair_host_ops (log, events, variables, attach/detach, control).
 *
 * Plain C so that the FreeSWITCH glue (C11, switch.h) can include it without node.h.
 */
#ifndef OAIR_HOST_H
#define OAIR_HOST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Log levels use FreeSWITCH's numbering so the glue can pass them straight through. */
enum {
  OAIR_LOG_CRIT = 2,
  OAIR_LOG_ERROR = 3,
  OAIR_LOG_WARNING = 4,
  OAIR_LOG_NOTICE = 5,
  OAIR_LOG_INFO = 6,
  OAIR_LOG_DEBUG = 7
};

/* What the media hook captures (the mix types of uuid_openai_audio_stream start). */
typedef enum {
  OAIR_MIX_MONO = 0,   /* caller audio only */
  OAIR_MIX_MIXED = 1,  /* caller + what the channel sends, summed */
  OAIR_MIX_STEREO = 2  /* interleaved: left caller, right what the channel sends */
} oair_mix;

/* A channel record: the rings and counters of one media hook. Opaque, reference-counted, owned
 * by the bridge. The host's media hook holds one reference, the JS side holds one; the record is
 * freed when both are released. After oair_channel_close() every media call on it is a no-op. */
typedef struct oair_channel oair_channel;

typedef struct {
  const char *uuid;
  const char *bug_name;       /* media hook name, unique per API family ("openai_audio_stream", "openai_s2s") */
  oair_mix mix;
  uint32_t capture_ring_ms;   /* how much caller audio may wait for JS before frames are dropped */
  uint32_t playback_ring_ms;  /* how much assistant audio may wait for the media thread */
} oair_attach_request;

typedef struct {
  uint32_t sample_rate;       /* the channel's codec rate: 8000, 16000, 24000, 48000, ... */
  uint32_t frame_samples;     /* samples per frame per audio channel (ptime × rate) */
} oair_attach_result;

/* Why a host operation failed. The one list of these codes: the binding puts the code on the Error
 * it throws (`code`), src/bridge.ts mirrors the values (HOST_ERROR, checked against this enum by
 * test/moduleInterface.test.ts), and JS decides on the code, never on the reason's wording. */
typedef enum {
  OAIR_ERR_FAILED = -1,           /* any other failure: the short reason in err says which */
  OAIR_ERR_ALREADY_ATTACHED = -2  /* attach: the channel already has a media hook of that name */
} oair_host_error;

/* Operations a host provides. All are called on a Node thread (main or worker), never on a media
 * thread, and must not wait on JS. Strings are UTF-8 and only borrowed for the call. */
typedef struct oair_host_ops {
  void *ctx;
  void (*log)(void *ctx, int level, const char *uuid /* may be NULL */, const char *message);
  /* Fires a CUSTOM event with the channel's own headers plus `headers` (NULL-terminated name/value
   * pairs, may be NULL). Returns 0 on success. */
  int (*fire_event)(void *ctx, const char *uuid /* may be NULL */, const char *subclass, const char *body,
                    const char *const *headers);
  /* Returns a malloc()ed copy of a channel variable (caller frees), or NULL. *status is 1 when set,
   * 0 when unset, -1 when no such channel. */
  char *(*get_var)(void *ctx, const char *uuid, const char *name, int *status);
  /* Attaches a media hook to the channel. On success returns 0, fills `result` and `*out` with a
   * channel made by oair_channel_create() (holding the host's and the caller's references).
   * On failure returns an oair_host_error (< 0) and writes a short reason to err. */
  int (*attach)(void *ctx, const oair_attach_request *req, oair_attach_result *result, oair_channel **out,
                char *err, size_t err_len);
  /* Removes the media hook (stop). The host calls oair_channel_close() and releases its reference,
   * now or from its own media thread shortly after. Safe on a channel that already hung up. */
  void (*detach)(void *ctx, oair_channel *ch);
  /* Call control on a channel: action is one of "hangup" (args: cause), "transfer" (args: destination,
   * dialplan, context), "send_dtmf" (args: digits), "set_var" (args: name, value), "play" (args: path),
   * "break". args is NULL-terminated. Returns 0, or -1 with a reason in err. */
  int (*control)(void *ctx, const char *uuid, const char *action, const char *const *args, char *err,
                 size_t err_len);
} oair_host_ops;

/* ---- Channel records (oair_channel) ---------------------------------------------------------- */

/* Creates a record for `capture_channels` interleaved audio channels (1, or 2 for stereo) at
 * `sample_rate`. Returns it holding TWO references (the host's and the JS side's), or NULL. */
oair_channel *oair_channel_create(const char *uuid, uint32_t sample_rate, uint32_t frame_samples,
                                  uint32_t capture_channels, uint32_t capture_ring_ms, uint32_t playback_ring_ms);
void oair_channel_release(oair_channel *ch);
void oair_channel_set_host_data(oair_channel *ch, void *data);
void *oair_channel_host_data(const oair_channel *ch);

/* Media-thread calls: lock-free, allocation-free, never block. */
/* Pushes one captured frame (samples = frames × capture_channels, interleaved); drops it and counts
 * an overrun when the ring is full. Wakes JS at most once per batch for the whole process. */
void oair_channel_capture(oair_channel *ch, const int16_t *samples, uint32_t count);
/* Fills out[0..count) with assistant audio. Returns the samples written (count, or 0 on underrun,
 * when out is left untouched so the host may pass its own audio through). */
uint32_t oair_channel_playback(oair_channel *ch, int16_t *out, uint32_t count);
/* Samples queued for playback right now (a pending flush already deducted). Read-only. */
uint32_t oair_channel_playback_queued(const oair_channel *ch);
/* Consumer side only (whoever pops the ring at that moment): drops the oldest whole frames so that
 * no more than keep_samples (rounded up to a whole frame) stay queued. Returns the samples dropped.
 * Hosts with two consumers (a writer thread and WRITE_REPLACE) call it at each hand-over so the
 * time nobody consumed does not turn into added latency. */
uint32_t oair_channel_playback_trim(oair_channel *ch, uint32_t keep_samples);
/* A DTMF digit the caller pressed. */
void oair_channel_dtmf(oair_channel *ch, char digit, uint32_t duration_ms);
/* The media hook is gone (hangup, or detach completed). Idempotent. */
void oair_channel_close(oair_channel *ch);

/* ---- Runtime ----------------------------------------------------------------------------------- */

typedef struct {
  const char *bundle_dir;    /* directory holding dist/main.js and node_modules */
  const char *host_name;     /* "freeswitch" | "simulator" */
  const char *config_json;   /* handed to JS (module configuration), may be NULL */
  const char *const *node_options; /* NULL-terminated extra Node/V8 options, e.g. "--max-old-space-size=256" */
  uint32_t start_timeout_ms; /* how long start waits for JS to say it is ready */
  uint32_t restart_delay_ms; /* 0: never restart; else restart the Environment this long after an unexpected stop */
} oair_runtime_config;

/* Starts the Node thread and waits until JS is ready. Returns 0, or -1 with a reason in err.
 * May be called again after oair_runtime_stop() (a new Environment; the process-wide init is done once). */
int oair_runtime_start(const oair_runtime_config *cfg, const oair_host_ops *ops, char *err, size_t err_len);
/* Asks JS to end every session, waits up to timeout_ms, then forces the Environment to stop and joins
 * the Node thread. Safe to call when not running. */
void oair_runtime_stop(uint32_t timeout_ms);
int oair_runtime_running(void);

/* Runs an API command (e.g. api "uuid_openai_audio_stream", args "<uuid> start ...") in JS and waits
 * up to timeout_ms for its reply. Always returns a malloc()ed reply that the caller frees: JS's text,
 * or "-ERR timeout" / "-ERR runtime not running". Called on API threads, never on a media thread. */
char *oair_runtime_command(const char *api, const char *args, uint32_t timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* OAIR_HOST_H */
