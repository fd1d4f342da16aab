/*
 * mod_openai_realtime.c — the FreeSWITCH host of the embedded runtime (native/host.h).
 *
 * Everything with logic lives in TypeScript on the embedded Node runtime; this file is the glue:
 *   - module lifecycle: configuration, the runtime's start/stop, API commands, event subclasses;
 *   - host operations JS calls on the Node thread (log, events, channel variables, attach/detach a
 *     media bug, call control);
 *   - the media path: one media bug per stream (READ → capture ring, WRITE_REPLACE ← playback ring)
 *     and one writer thread per bug that plays the assistant on channels where nothing else writes
 *     frames (docs/DESIGN.md §3 rule 5).
 *
 * Threads and locks (docs/DESIGN.md §3):
 *   - bug callbacks run on FreeSWITCH media threads and only touch the bridge's lock-free rings and
 *     this file's atomics. No allocation, no lock another thread can hold for long, no JS.
 *   - host operations run on the Node thread and never wait on JS; the FreeSWITCH locks they take
 *     (session read locks, the bug list lock) are held only for the FreeSWITCH call itself.
 *   - API threads forward their argument string to JS and wait for the reply with a timeout.
 *
 * Playback ownership: the playback ring is single-consumer. Two parties can consume it — the
 * WRITE_REPLACE callback (when the channel writes frames itself: playback, bridge, silence_stream)
 * and the writer thread (when nothing writes: a parked channel). `owner` says which one may pop; it
 * is handed over with compare-and-swap so that both never pop at once, and whoever takes the ring
 * over trims it to the depth it had before the hand-over so the time nobody consumed does not turn
 * into added latency.
 *
 * Records (oair_bug_t) are reference-counted: the media bug holds one reference, the writer thread
 * holds one; the record (and with it the host's reference on the bridge channel) is released when
 * both are done. JS's reference on the bridge channel is separate (oair_channel refcount).
 *
 * C11, switch.h only (node.h lives in native/runtime, docs/DESIGN.md §4).
 */
#include <switch.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../host.h"
#include "../runtime/builtin_paths.h"

#ifndef OAIR_DEFAULT_BUNDLE_DIR
#define OAIR_DEFAULT_BUNDLE_DIR "/usr/share/mod_openai_realtime"
#endif

#define OAIR_CONFIG_NAME "openai_realtime.conf"
#define OAIR_SESSION_PRIVATE "mod_openai_realtime::session"
#define OAIR_BUG_PRIVATE_PREFIX "mod_openai_realtime::"
#define OAIR_MAX_BUGS_PER_SESSION 8
#define OAIR_BUG_NAME_MAX 64
#define OAIR_WRITER_STACK (256 * 1024)
/* The writer takes the ring over only after this long without a WRITE_REPLACE of the channel's own
 * frames: a playback between two files, or a jittery bridge, must not look like silence. */
#define OAIR_WRITER_IDLE_MS 60

SWITCH_MODULE_LOAD_FUNCTION(mod_openai_realtime_load);
SWITCH_MODULE_SHUTDOWN_FUNCTION(mod_openai_realtime_shutdown);
SWITCH_MODULE_DEFINITION(mod_openai_realtime, mod_openai_realtime_load, mod_openai_realtime_shutdown, NULL);

/* The event subclasses we fire, reserved at load and freed at shutdown from this one table. */
static const char *const oair_event_subclasses[] = {
	"mod_openai_audio_stream::json",
	"mod_openai_audio_stream::connect",
	"mod_openai_audio_stream::disconnect",
	"mod_openai_audio_stream::error",
	"mod_openai_audio_stream::play",
	"mod_openai_audio_stream::openai_speech_start",
	"mod_openai_audio_stream::openai_speech_stop",
	"openai_s2s::connect",
	"openai_s2s::connect_failed",
	"openai_s2s::server_event",
	"openai_s2s::disconnect",
	"openai_realtime::stats",
	"openai_realtime::dtmf",
	"openai_realtime::call_control",
	"openai_realtime::tool_loop",
	"openai_realtime::transcript",
	"openai_realtime::session_restarted",
	NULL
};

/* The API commands: each forwards its whole argument string to JS, which answers (usage included). */
static const char *const oair_apis[] = {"uuid_openai_audio_stream", "uuid_raw_audio_stream", "uuid_openai_s2s", "openai_realtime", NULL};

static const char *const oair_completions[] = {
	"uuid_openai_audio_stream ::console::list_uuid start",
	"uuid_openai_audio_stream ::console::list_uuid stop",
	"uuid_openai_audio_stream ::console::list_uuid pause",
	"uuid_openai_audio_stream ::console::list_uuid resume",
	"uuid_openai_audio_stream ::console::list_uuid mute",
	"uuid_openai_audio_stream ::console::list_uuid unmute",
	"uuid_openai_audio_stream ::console::list_uuid send_json",
	"uuid_raw_audio_stream ::console::list_uuid start",
	"uuid_raw_audio_stream ::console::list_uuid stop",
	"uuid_raw_audio_stream ::console::list_uuid pause",
	"uuid_raw_audio_stream ::console::list_uuid resume",
	"uuid_raw_audio_stream ::console::list_uuid mute",
	"uuid_raw_audio_stream ::console::list_uuid unmute",
	"uuid_raw_audio_stream ::console::list_uuid send_json",
	"uuid_openai_s2s ::console::list_uuid session.create",
	"uuid_openai_s2s ::console::list_uuid client.event",
	"uuid_openai_s2s ::console::list_uuid session.delete",
	"openai_realtime status",
	"openai_realtime echo ::console::list_uuid start",
	"openai_realtime echo ::console::list_uuid stop",
	NULL
};

/* ------------------------------------------------------------------------------------------------
 * Module state. The module is linked -z nodelete: after `unload` the same mapping (and these
 * statics) is reused by the next `load`, so load resets the configuration explicitly; the record
 * list, its lock and the counters deliberately live on (records may outlive one module instance by
 * a few milliseconds while their writer threads finish).
 */
typedef struct {
	char bundle_dir[1024];
	char config_file[1024];
	uint32_t heap_limit_mb;
	int log_level;
	uint32_t command_timeout_ms;
	uint32_t capture_ring_ms;
	uint32_t playback_ring_ms;
	uint32_t start_timeout_ms;
	uint32_t stop_timeout_ms;
	uint32_t restart_delay_ms;
	int writer_policy; /* scheduling of the thread that loaded us: FreeSWITCH's own (often SCHED_FIFO) */
	struct sched_param writer_param;
	int subclasses_reserved;
	int runtime_started;
} oair_globals_t;

static oair_globals_t g;

typedef struct oair_bug_s oair_bug_t;

/* Per FreeSWITCH session (channel private, session pool): our bugs on it, for the DTMF hook. */
typedef struct {
	switch_mutex_t *mutex;
	oair_bug_t *bugs[OAIR_MAX_BUGS_PER_SESSION];
	int dtmf_hook;
} oair_session_t;

enum { OWNER_REPLACE = 0, OWNER_REPLACE_BUSY = 1, OWNER_WRITER = 2 };

struct oair_bug_s {
	/* Identity, set before the bug exists and never changed. */
	char uuid[SWITCH_UUID_FORMATTED_LENGTH + 1];
	char name[OAIR_BUG_NAME_MAX];
	char private_key[sizeof(OAIR_BUG_PRIVATE_PREFIX) + OAIR_BUG_NAME_MAX];
	oair_mix mix;
	uint32_t rate;
	uint32_t frame_samples;
	uint32_t ptime_ms;
	oair_channel *ch;        /* the host's reference, released with the record */
	oair_session_t *sess;    /* lives in the session pool */

	/* Lifetime. refs and the list links are guarded by g_recs_mutex. */
	int refs;
	oair_bug_t *prev, *next;
	_Atomic(switch_media_bug_t *) bug; /* NULL once CLOSE ran */
	atomic_int closed;

	/* Playback ownership (see the header comment). */
	atomic_int owner;
	atomic_uint foreign_frames; /* WRITE_REPLACE calls for frames the channel wrote itself */
	atomic_ullong foreign_at_us; /* monotonic time of the last of them (0: none yet) */
	atomic_int trim_due;        /* set by the writer when it hands the ring back */
	atomic_uint level;          /* ring depth after the owner's last pop */
	atomic_int active;          /* the owner's last pop found a frame */

	/* Counters (each written by one thread, read at release). */
	atomic_ullong frames_read, frames_replaced, frames_written, replace_skipped, size_mismatch;
	atomic_ullong to_writer, to_replace, samples_trimmed;

	/* Buffers, allocated at attach: media threads never allocate. */
	int16_t *capture_buf;
	uint32_t capture_buf_bytes;
	int16_t *writer_buf;
};

static pthread_mutex_t g_recs_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_recs_cond = PTHREAD_COND_INITIALIZER;
static oair_bug_t *g_recs;
static int g_live_recs;
static pthread_mutex_t g_session_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Set while the writer thread writes its own frame: its WRITE_REPLACE callback must pass it through. */
static _Thread_local oair_bug_t *tl_writing;

/* ------------------------------------------------------------------------------------------------
 * Small helpers
 */
static int contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!hay || !n) return 0;
	for (; *hay; hay++) {
		if (!strncasecmp(hay, needle, n)) return 1;
	}
	return 0;
}

static size_t json_escape(char *out, size_t cap, const char *s)
{
	size_t o = 0;
	if (!cap) return 0;
	for (; s && *s && o + 7 < cap; s++) {
		unsigned char c = (unsigned char) *s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char) c;
		} else if (c < 0x20) {
			o += (size_t) snprintf(out + o, cap - o, "\\u%04x", c);
		} else {
			out[o++] = (char) c;
		}
	}
	out[o] = '\0';
	return o;
}

/* Monotonic microseconds (vDSO: no system call on the media thread). */
static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void set_err(char *err, size_t err_len, const char *fmt, const char *arg)
{
	if (err && err_len) snprintf(err, err_len, fmt, arg ? arg : "");
}

/* ------------------------------------------------------------------------------------------------
 * Record lifetime
 */
static void rec_free(oair_bug_t *rec)
{
	switch_log_printf(SWITCH_CHANNEL_UUID_LOG(rec->uuid), SWITCH_LOG_DEBUG,
					  "%s: released (read %llu, replaced %llu, written %llu, passed %llu, size mismatch %llu, "
					  "hand-overs to writer %llu / to channel %llu, trimmed %llu samples)\n",
					  rec->name, (unsigned long long) atomic_load(&rec->frames_read),
					  (unsigned long long) atomic_load(&rec->frames_replaced),
					  (unsigned long long) atomic_load(&rec->frames_written),
					  (unsigned long long) atomic_load(&rec->replace_skipped),
					  (unsigned long long) atomic_load(&rec->size_mismatch),
					  (unsigned long long) atomic_load(&rec->to_writer), (unsigned long long) atomic_load(&rec->to_replace),
					  (unsigned long long) atomic_load(&rec->samples_trimmed));
	oair_channel_release(rec->ch);
	free(rec->capture_buf);
	free(rec->writer_buf);
	free(rec);
}

static void rec_release(oair_bug_t *rec)
{
	int last;
	pthread_mutex_lock(&g_recs_mutex);
	last = --rec->refs == 0;
	if (last) {
		if (rec->prev) rec->prev->next = rec->next;
		else g_recs = rec->next;
		if (rec->next) rec->next->prev = rec->prev;
		/* JS may still hold the channel: it must not find this record any more. */
		oair_channel_set_host_data(rec->ch, NULL);
		g_live_recs--;
		pthread_cond_broadcast(&g_recs_cond);
	}
	pthread_mutex_unlock(&g_recs_mutex);
	if (last) rec_free(rec);
}

/* The record behind a bridge channel, with a reference the caller releases; NULL once released. */
static oair_bug_t *rec_from_channel(oair_channel *ch)
{
	oair_bug_t *rec;
	pthread_mutex_lock(&g_recs_mutex);
	rec = (oair_bug_t *) oair_channel_host_data(ch);
	if (rec) rec->refs++;
	pthread_mutex_unlock(&g_recs_mutex);
	return rec;
}

/* ------------------------------------------------------------------------------------------------
 * Playback consumers
 */

/* Called by a consumer right after it became the owner: drop what piled up while nobody consumed,
 * back to the depth the previous owner was playing at (+1 frame of phase margin). When the previous
 * owner had nothing to play, what is queued now is new audio and stays whole. */
static void takeover_trim(oair_bug_t *rec)
{
	if (!atomic_load_explicit(&rec->active, memory_order_relaxed)) return;
	uint32_t keep = atomic_load_explicit(&rec->level, memory_order_relaxed) + rec->frame_samples;
	uint32_t dropped = oair_channel_playback_trim(rec->ch, keep);
	if (dropped) atomic_fetch_add_explicit(&rec->samples_trimmed, dropped, memory_order_relaxed);
}

static void note_pop(oair_bug_t *rec, uint32_t got)
{
	if (got) {
		atomic_store_explicit(&rec->level, oair_channel_playback_queued(rec->ch), memory_order_relaxed);
		atomic_store_explicit(&rec->active, 1, memory_order_relaxed);
	} else {
		atomic_store_explicit(&rec->level, 0, memory_order_relaxed);
		atomic_store_explicit(&rec->active, 0, memory_order_relaxed);
	}
}

/* ------------------------------------------------------------------------------------------------
 * Media bug callback (media threads)
 */
static void bug_read(oair_bug_t *rec, switch_media_bug_t *bug)
{
	switch_frame_t frame = {0};
	int first = 1;

	frame.data = rec->capture_buf;
	frame.buflen = rec->capture_buf_bytes;
	/* Mono: complete frames only. Mixed/stereo: the first read may fill the side that has nothing
	 * (a parked channel writes nothing), the rest drain complete pairs — like FreeSWITCH's recorder. */
	for (;;) {
		switch_bool_t fill = (rec->mix == OAIR_MIX_MONO || !first) ? SWITCH_TRUE : SWITCH_FALSE;
		first = 0;
		if (switch_core_media_bug_read(bug, &frame, fill) != SWITCH_STATUS_SUCCESS || !frame.datalen) break;
		oair_channel_capture(rec->ch, rec->capture_buf, frame.datalen / 2);
		atomic_fetch_add_explicit(&rec->frames_read, 1, memory_order_relaxed);
	}
}

static void bug_write_replace(oair_bug_t *rec, switch_media_bug_t *bug)
{
	switch_frame_t *f;
	int expected = OWNER_REPLACE;

	if (tl_writing == rec) return; /* our writer's own frame: it is the AI audio already */
	atomic_store_explicit(&rec->foreign_at_us, mono_us(), memory_order_relaxed);
	atomic_fetch_add_explicit(&rec->foreign_frames, 1, memory_order_release);
	if (!atomic_compare_exchange_strong(&rec->owner, &expected, OWNER_REPLACE_BUSY)) {
		/* The writer owns the ring this instant; it hands it over at its next tick. */
		atomic_fetch_add_explicit(&rec->replace_skipped, 1, memory_order_relaxed);
		return;
	}
	if (atomic_exchange(&rec->trim_due, 0)) takeover_trim(rec);
	f = switch_core_media_bug_get_write_replace_frame(bug);
	if (f && f->data && f->samples == rec->frame_samples && f->datalen == rec->frame_samples * 2 &&
		f->buflen >= rec->frame_samples * 2) {
		/* Whole frames only; on an empty ring the channel's own audio passes untouched. */
		uint32_t got = oair_channel_playback(rec->ch, (int16_t *) f->data, rec->frame_samples);
		note_pop(rec, got);
		if (got) {
			switch_core_media_bug_set_write_replace_frame(bug, f);
			atomic_fetch_add_explicit(&rec->frames_replaced, 1, memory_order_relaxed);
		}
	} else {
		atomic_fetch_add_explicit(&rec->size_mismatch, 1, memory_order_relaxed);
	}
	atomic_store_explicit(&rec->owner, OWNER_REPLACE, memory_order_release);
}

static void session_unregister(oair_bug_t *rec, switch_core_session_t *session)
{
	oair_session_t *s = rec->sess;
	switch_channel_t *channel = switch_core_session_get_channel(session);
	if (s) {
		switch_mutex_lock(s->mutex);
		for (int i = 0; i < OAIR_MAX_BUGS_PER_SESSION; i++) {
			if (s->bugs[i] == rec) s->bugs[i] = NULL;
		}
		if (switch_channel_get_private(channel, rec->private_key) == rec) {
			switch_channel_set_private(channel, rec->private_key, NULL);
		}
		switch_mutex_unlock(s->mutex);
	}
}

static void bug_close(oair_bug_t *rec, switch_media_bug_t *bug)
{
	switch_core_session_t *session = switch_core_media_bug_get_session(bug);
	if (atomic_exchange(&rec->closed, 1)) return;
	atomic_store(&rec->bug, NULL);
	session_unregister(rec, session);
	/* JS learns the hook is gone; the writer sees `closed` at its next tick. */
	oair_channel_close(rec->ch);
	rec_release(rec); /* the bug's reference */
}

static switch_bool_t oair_bug_callback(switch_media_bug_t *bug, void *user_data, switch_abc_type_t type)
{
	oair_bug_t *rec = (oair_bug_t *) user_data;
	if (!rec) return SWITCH_TRUE;
	switch (type) {
	case SWITCH_ABC_TYPE_READ:
		bug_read(rec, bug);
		break;
	case SWITCH_ABC_TYPE_WRITE_REPLACE:
		bug_write_replace(rec, bug);
		break;
	case SWITCH_ABC_TYPE_CLOSE:
		bug_close(rec, bug);
		break;
	default:
		break;
	}
	return SWITCH_TRUE;
}

/* DTMF the caller pressed, for every stream of ours on the channel. */
static switch_status_t oair_on_dtmf(switch_core_session_t *session, const switch_dtmf_t *dtmf, switch_dtmf_direction_t direction)
{
	switch_channel_t *channel = switch_core_session_get_channel(session);
	oair_session_t *s;
	if (direction != SWITCH_DTMF_RECV) return SWITCH_STATUS_SUCCESS;
	s = (oair_session_t *) switch_channel_get_private(channel, OAIR_SESSION_PRIVATE);
	if (!s) return SWITCH_STATUS_SUCCESS;
	switch_mutex_lock(s->mutex);
	for (int i = 0; i < OAIR_MAX_BUGS_PER_SESSION; i++) {
		/* dtmf->duration is in 8 kHz samples */
		if (s->bugs[i]) oair_channel_dtmf(s->bugs[i]->ch, dtmf->digit, dtmf->duration / 8);
	}
	switch_mutex_unlock(s->mutex);
	return SWITCH_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------------------------------------
 * The writer thread: plays the assistant while the channel writes nothing itself.
 */
static void *oair_writer_main(void *arg)
{
	oair_bug_t *rec = (oair_bug_t *) arg;
	switch_core_session_t *session = NULL;
	switch_memory_pool_t *pool = NULL;
	switch_codec_t codec = {0};
	switch_timer_t timer = {0};
	int codec_ready = 0, timer_ready = 0;
	switch_frame_t wframe = {0};
	unsigned last_foreign;
	uint32_t idle = 0, threshold;
	uint64_t idle_us;
	int ticking = 1;

	pthread_setname_np(pthread_self(), "oair-writer");
	/* Our own read lock: the session cannot go away under us, whatever the attacher does next. */
	if (!(session = switch_core_session_locate(rec->uuid))) goto done;
	if (atomic_load(&rec->closed)) goto done;
	if (switch_core_new_memory_pool(&pool) != SWITCH_STATUS_SUCCESS) goto done;
	if (switch_core_codec_init(&codec, "L16", NULL, NULL, rec->rate, rec->ptime_ms, 1,
							   SWITCH_CODEC_FLAG_ENCODE | SWITCH_CODEC_FLAG_DECODE, NULL, pool) != SWITCH_STATUS_SUCCESS) {
		switch_log_printf(SWITCH_CHANNEL_SESSION_LOG(session), SWITCH_LOG_WARNING,
						  "%s: no L16 codec at %u Hz / %u ms: the assistant is heard only while the channel writes frames itself\n",
						  rec->name, rec->rate, rec->ptime_ms);
		goto done;
	}
	codec_ready = 1;
	if (switch_core_timer_init(&timer, "soft", (int) rec->ptime_ms, (int) rec->frame_samples, pool) != SWITCH_STATUS_SUCCESS) {
		switch_log_printf(SWITCH_CHANNEL_SESSION_LOG(session), SWITCH_LOG_WARNING, "%s: cannot start a soft timer for the writer\n", rec->name);
		goto done;
	}
	timer_ready = 1;

	wframe.codec = &codec;
	wframe.data = rec->writer_buf;
	wframe.buflen = rec->frame_samples * 2;
	wframe.datalen = rec->frame_samples * 2;
	wframe.samples = rec->frame_samples;
	wframe.rate = rec->rate;
	wframe.channels = 1;

	threshold = (OAIR_WRITER_IDLE_MS + rec->ptime_ms - 1) / rec->ptime_ms;
	if (threshold < 2) threshold = 2;
	idle_us = (uint64_t) threshold * rec->ptime_ms * 1000u;
	last_foreign = atomic_load(&rec->foreign_frames);

	for (;;) {
		unsigned fc;
		int owner, expected;
		uint32_t got;

		if (atomic_load_explicit(&rec->owner, memory_order_acquire) != OWNER_WRITER) {
			/* Standing down: the channel writes its own frames and WRITE_REPLACE plays them. Nothing
			 * to do per frame, so no tick: sleep until the channel has written nothing for the idle
			 * time (about one wake-up per 60 ms instead of two per frame), then tick again. */
			uint64_t last = atomic_load_explicit(&rec->foreign_at_us, memory_order_relaxed);
			uint64_t now = mono_us();
			if (last && now < last + idle_us) {
				switch_sleep((switch_interval_time_t) (last + idle_us - now));
				if (atomic_load(&rec->closed)) break;
				if (!switch_channel_up_nosig(switch_core_session_get_channel(session))) break;
				ticking = 0;
				continue;
			}
			if (!ticking) {
				/* Silent for the idle time already: the next tick may take over. The soft timer
				 * would otherwise replay every tick missed while asleep, back to back. */
				switch_core_timer_sync(&timer);
				last_foreign = atomic_load_explicit(&rec->foreign_frames, memory_order_acquire);
				idle = threshold - 1;
				ticking = 1;
			}
		}

		if (switch_core_timer_next(&timer) != SWITCH_STATUS_SUCCESS) break;
		/* Every timer-driven thread (the endpoint's own reader among them) wakes on this same tick.
		 * Writing half a frame later keeps the order of "we write" and "they read" the same every
		 * period: written on the tick, a frame lands before or after the reader by scheduling luck
		 * and the far end sees a slip (a lost or inserted frame) now and then. */
		switch_sleep(rec->ptime_ms * 500);
		if (atomic_load(&rec->closed)) break;
		if (!switch_channel_up_nosig(switch_core_session_get_channel(session))) break;

		fc = atomic_load_explicit(&rec->foreign_frames, memory_order_acquire);
		if (fc != last_foreign) {
			last_foreign = fc;
			idle = 0;
		} else if (idle < UINT32_MAX) {
			idle++;
		}

		owner = atomic_load_explicit(&rec->owner, memory_order_acquire);
		if (owner == OWNER_WRITER) {
			if (idle == 0) {
				/* The channel writes frames itself again: stand down, WRITE_REPLACE substitutes. */
				atomic_store(&rec->trim_due, 1);
				atomic_store_explicit(&rec->owner, OWNER_REPLACE, memory_order_release);
				atomic_fetch_add_explicit(&rec->to_replace, 1, memory_order_relaxed);
				continue;
			}
		} else {
			if (idle < threshold) continue;
			expected = OWNER_REPLACE;
			if (!atomic_compare_exchange_strong(&rec->owner, &expected, OWNER_WRITER)) continue;
			atomic_store(&rec->trim_due, 0);
			atomic_fetch_add_explicit(&rec->to_writer, 1, memory_order_relaxed);
			takeover_trim(rec);
		}

		got = oair_channel_playback(rec->ch, rec->writer_buf, rec->frame_samples);
		note_pop(rec, got);
		if (got == rec->frame_samples) {
			wframe.datalen = rec->frame_samples * 2;
			wframe.samples = rec->frame_samples;
			tl_writing = rec;
			switch_core_session_write_frame(session, &wframe, SWITCH_IO_FLAG_NONE, 0);
			tl_writing = NULL;
			atomic_fetch_add_explicit(&rec->frames_written, 1, memory_order_relaxed);
		}
	}

done:
	{
		/* Whatever ended the writer, WRITE_REPLACE may consume from now on. */
		int mine = OWNER_WRITER;
		atomic_compare_exchange_strong(&rec->owner, &mine, OWNER_REPLACE);
	}
	if (timer_ready) switch_core_timer_destroy(&timer);
	if (codec_ready) switch_core_codec_destroy(&codec);
	if (pool) switch_core_destroy_memory_pool(&pool);
	if (session) switch_core_session_rwunlock(session);
	rec_release(rec); /* the writer's reference */
	return NULL;
}

static int start_writer(oair_bug_t *rec)
{
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, OAIR_WRITER_STACK);
	/* Run like FreeSWITCH's media threads, not like the Node thread that asked for it. */
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, g.writer_policy);
	pthread_attr_setschedparam(&attr, &g.writer_param);
	rc = pthread_create(&tid, &attr, oair_writer_main, rec);
	if (rc == EPERM || rc == EINVAL) {
		pthread_attr_setinheritsched(&attr, PTHREAD_INHERIT_SCHED);
		rc = pthread_create(&tid, &attr, oair_writer_main, rec);
	}
	pthread_attr_destroy(&attr);
	return rc;
}

/* ------------------------------------------------------------------------------------------------
 * Host operations (Node thread)
 */
static void host_log(void *ctx, int level, const char *uuid, const char *message)
{
	size_t n;
	(void) ctx;
	if (!message) return;
	if (level < SWITCH_LOG_CONSOLE) level = SWITCH_LOG_CRIT;
	if (level > SWITCH_LOG_DEBUG) level = SWITCH_LOG_DEBUG;
	if (level > g.log_level) return;
	n = strlen(message);
	if (uuid && *uuid) {
		switch_log_printf(SWITCH_CHANNEL_UUID_LOG(uuid), (switch_log_level_t) level, "%s%s", message,
						  n && message[n - 1] == '\n' ? "" : "\n");
	} else {
		switch_log_printf(SWITCH_CHANNEL_LOG, (switch_log_level_t) level, "%s%s", message, n && message[n - 1] == '\n' ? "" : "\n");
	}
}

static int is_secret_name(const char *name)
{
	const char *v;
	if (!name || strncasecmp(name, "variable_", 9)) return 0;
	v = name + 9;
	return !strcasecmp(v, "STREAM_OPENAI_API_KEY") || !strcasecmp(v, "STREAM_EXTRA_HEADERS") || contains_nocase(v, "API_KEY") ||
		   contains_nocase(v, "SECRET") || contains_nocase(v, "TOKEN") || contains_nocase(v, "PASSWORD");
}

/* An OpenAI-style key ("sk-" and 20+ key characters) or an Authorization value anywhere in `v`. */
static int looks_like_key(const char *v)
{
	if (!v) return 0;
	if (contains_nocase(v, "Bearer ")) return 1;
	for (const char *p = v; (p = strstr(p, "sk-")); p += 3) {
		int n = 0;
		for (const char *q = p + 3; *q && (isalnum((unsigned char) *q) || *q == '-' || *q == '_'); q++) n++;
		if (n >= 20) return 1;
	}
	return 0;
}

#define OAIR_MAX_SCRUB 64

static int header_value_is_secret(switch_event_header_t *hp, char **secrets, int nsecrets)
{
	int count = hp->idx > 0 && hp->array ? hp->idx : 1;
	for (int k = 0; k < count; k++) {
		const char *v = hp->idx > 0 && hp->array ? hp->array[k] : hp->value;
		if (!v) continue;
		if (looks_like_key(v)) return 1;
		for (int i = 0; i < nsecrets; i++) {
			if (strstr(v, secrets[i])) return 1;
		}
	}
	return 0;
}

/* Channel variables come along with channel data when verbose events are on: drop every header that
 * names a secret variable, and every header whose value carries one (or looks like an API key). */
static void scrub_secrets(switch_event_t *event)
{
	char *names[OAIR_MAX_SCRUB];
	char *secrets[OAIR_MAX_SCRUB];
	int nnames = 0, nsecrets = 0;
	switch_event_header_t *hp;

	for (hp = event->headers; hp; hp = hp->next) {
		if (!is_secret_name(hp->name)) continue;
		if (nsecrets < OAIR_MAX_SCRUB && hp->value && strlen(hp->value) >= 6) secrets[nsecrets++] = strdup(hp->value);
		if (nnames < OAIR_MAX_SCRUB) names[nnames++] = strdup(hp->name);
	}
	for (hp = event->headers; hp; hp = hp->next) {
		if (nnames >= OAIR_MAX_SCRUB) break;
		if (is_secret_name(hp->name)) continue;
		if (header_value_is_secret(hp, secrets, nsecrets)) names[nnames++] = strdup(hp->name);
	}
	for (int i = 0; i < nnames; i++) {
		if (names[i]) switch_event_del_header(event, names[i]);
		free(names[i]);
	}
	for (int i = 0; i < nsecrets; i++) free(secrets[i]);
}

static int host_fire_event(void *ctx, const char *uuid, const char *subclass, const char *body, const char *const *headers)
{
	switch_event_t *event = NULL;
	(void) ctx;
	if (zstr(subclass)) return -1;
	if (switch_event_create_subclass(&event, SWITCH_EVENT_CUSTOM, subclass) != SWITCH_STATUS_SUCCESS) return -1;
	if (!zstr(uuid)) {
		/* Force: events right after a hangup (disconnect) still carry the channel's headers. */
		switch_core_session_t *session = switch_core_session_force_locate(uuid);
		if (session) {
			switch_channel_event_set_data(switch_core_session_get_channel(session), event);
			switch_core_session_rwunlock(session);
		} else {
			/* The channel is gone (a late disconnect): consumers still filter on Unique-ID. */
			switch_event_add_header_string(event, SWITCH_STACK_BOTTOM, "Unique-ID", uuid);
		}
	}
	for (const char *const *p = headers; p && p[0] && p[1]; p += 2) {
		switch_event_add_header_string(event, SWITCH_STACK_BOTTOM, p[0], p[1]);
	}
	scrub_secrets(event);
	if (!zstr(body)) switch_event_add_body(event, "%s", body);
	return switch_event_fire(&event) == SWITCH_STATUS_SUCCESS ? 0 : -1;
}

static char *host_get_var(void *ctx, const char *uuid, const char *name, int *status)
{
	switch_core_session_t *session;
	const char *v;
	char *r = NULL;
	(void) ctx;
	*status = -1;
	if (zstr(uuid) || zstr(name) || !(session = switch_core_session_locate(uuid))) return NULL;
	/* The locked copy (into the session pool), then ours for the caller to free. */
	v = switch_channel_get_variable(switch_core_session_get_channel(session), name);
	if (v) r = strdup(v);
	*status = v ? 1 : 0;
	switch_core_session_rwunlock(session);
	return r;
}

static oair_session_t *session_state(switch_core_session_t *session)
{
	switch_channel_t *channel = switch_core_session_get_channel(session);
	oair_session_t *s;
	pthread_mutex_lock(&g_session_mutex);
	s = (oair_session_t *) switch_channel_get_private(channel, OAIR_SESSION_PRIVATE);
	if (!s && (s = switch_core_session_alloc(session, sizeof(*s)))) {
		switch_mutex_init(&s->mutex, SWITCH_MUTEX_NESTED, switch_core_session_get_pool(session));
		switch_channel_set_private(channel, OAIR_SESSION_PRIVATE, s);
	}
	pthread_mutex_unlock(&g_session_mutex);
	return s;
}

static int valid_bug_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n >= OAIR_BUG_NAME_MAX) return 0;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char) name[i]) && name[i] != '_' && name[i] != '-' && name[i] != '.') return 0;
	}
	return 1;
}

static int host_attach(void *ctx, const oair_attach_request *req, oair_attach_result *result, oair_channel **out, char *err,
					   size_t err_len)
{
	switch_core_session_t *session;
	switch_channel_t *channel;
	switch_codec_implementation_t read_impl = {0}, write_impl = {0};
	switch_media_bug_flag_t flags = SMBF_READ_STREAM | SMBF_WRITE_REPLACE;
	switch_media_bug_t *bug = NULL;
	oair_session_t *s;
	oair_bug_t *rec = NULL;
	uint32_t rate, frame_samples, ptime_ms, bytes;
	int slot = -1, rc = OAIR_ERR_FAILED;
	(void) ctx;

	if (!req || zstr(req->uuid) || !valid_bug_name(req->bug_name)) {
		set_err(err, err_len, "invalid attach request%s", "");
		return -1;
	}
	if (!(session = switch_core_session_locate(req->uuid))) {
		set_err(err, err_len, "no such channel %s", req->uuid);
		return -1;
	}
	channel = switch_core_session_get_channel(session);

	if (switch_channel_pre_answer(channel) != SWITCH_STATUS_SUCCESS) {
		set_err(err, err_len, "channel must have reached pre-answer status%s", "");
		goto out;
	}
	switch_core_session_get_read_impl(session, &read_impl);
	switch_core_session_get_write_impl(session, &write_impl);
	rate = read_impl.actual_samples_per_second;
	ptime_ms = read_impl.microseconds_per_packet / 1000;
	if (!rate || !ptime_ms || !read_impl.decoded_bytes_per_packet) {
		set_err(err, err_len, "the channel has no read codec%s", "");
		goto out;
	}
	if (read_impl.number_of_channels > 1) {
		set_err(err, err_len, "multichannel codecs are not supported%s", "");
		goto out;
	}
	frame_samples = read_impl.decoded_bytes_per_packet / 2;
	if (write_impl.actual_samples_per_second && write_impl.actual_samples_per_second != rate) {
		switch_log_printf(SWITCH_CHANNEL_SESSION_LOG(session), SWITCH_LOG_WARNING,
						  "%s: read codec at %u Hz, write codec at %u Hz: the assistant is played through the writer only\n",
						  req->bug_name, rate, write_impl.actual_samples_per_second);
	}

	if (!(s = session_state(session))) {
		set_err(err, err_len, "out of memory%s", "");
		goto out;
	}

	rec = calloc(1, sizeof(*rec));
	if (!rec) {
		set_err(err, err_len, "out of memory%s", "");
		goto out;
	}
	copy_str(rec->uuid, sizeof rec->uuid, switch_core_session_get_uuid(session));
	copy_str(rec->name, sizeof rec->name, req->bug_name);
	snprintf(rec->private_key, sizeof rec->private_key, "%s%s", OAIR_BUG_PRIVATE_PREFIX, req->bug_name);
	rec->mix = req->mix;
	rec->rate = rate;
	rec->frame_samples = frame_samples;
	rec->ptime_ms = ptime_ms;
	rec->sess = s;
	/* The writer owns the ring from the start: the ring is empty at attach, so it writes nothing until
	 * JS queues audio, and it hands the ring over at its first tick if the channel writes itself. No
	 * initial wait, so nothing piles up before the first owner (JS's own lead, e.g. the echo delay,
	 * stays as JS queued it). */
	atomic_init(&rec->owner, OWNER_WRITER);
	atomic_init(&rec->active, 0);
	bytes = read_impl.decoded_bytes_per_packet;
	rec->capture_buf_bytes = (bytes * 4 > SWITCH_RECOMMENDED_BUFFER_SIZE ? bytes * 4 : SWITCH_RECOMMENDED_BUFFER_SIZE);
	rec->capture_buf = calloc(1, rec->capture_buf_bytes);
	rec->writer_buf = calloc(frame_samples, sizeof(int16_t));
	if (!rec->capture_buf || !rec->writer_buf) {
		set_err(err, err_len, "out of memory%s", "");
		goto out;
	}

	switch_mutex_lock(s->mutex);
	if (switch_channel_get_private(channel, rec->private_key)) {
		switch_mutex_unlock(s->mutex);
		set_err(err, err_len, "a stream is already attached to this channel%s", "");
		rc = OAIR_ERR_ALREADY_ATTACHED;
		goto out;
	}
	for (int i = 0; i < OAIR_MAX_BUGS_PER_SESSION; i++) {
		if (!s->bugs[i]) {
			slot = i;
			break;
		}
	}
	if (slot < 0) {
		switch_mutex_unlock(s->mutex);
		set_err(err, err_len, "too many streams on this channel%s", "");
		goto out;
	}
	/* Reserve the name before the bug goes live, so a concurrent attach of the same name fails. */
	switch_channel_set_private(channel, rec->private_key, rec);
	switch_mutex_unlock(s->mutex);

	rec->ch = oair_channel_create(rec->uuid, rate, frame_samples, req->mix == OAIR_MIX_STEREO ? 2 : 1,
								  req->capture_ring_ms ? req->capture_ring_ms : g.capture_ring_ms,
								  req->playback_ring_ms ? req->playback_ring_ms : g.playback_ring_ms);
	if (!rec->ch) {
		switch_channel_set_private(channel, rec->private_key, NULL);
		set_err(err, err_len, "cannot create the channel record%s", "");
		goto out;
	}
	oair_channel_set_host_data(rec->ch, rec);

	if (req->mix == OAIR_MIX_MIXED) flags |= SMBF_WRITE_STREAM;
	if (req->mix == OAIR_MIX_STEREO) flags |= SMBF_WRITE_STREAM | SMBF_STEREO;

	/* Two references from here: the bug's and the writer's. Listed so shutdown can find it. */
	pthread_mutex_lock(&g_recs_mutex);
	rec->refs = 2;
	rec->next = g_recs;
	if (g_recs) g_recs->prev = rec;
	g_recs = rec;
	g_live_recs++;
	pthread_mutex_unlock(&g_recs_mutex);

	if (switch_core_media_bug_add(session, rec->name, NULL, oair_bug_callback, rec, 0, flags, &bug) != SWITCH_STATUS_SUCCESS) {
		switch_channel_set_private(channel, rec->private_key, NULL);
		set_err(err, err_len, "cannot add the media bug%s", "");
		/* Nobody else has seen the record: drop both references. JS never got its channel reference. */
		oair_channel_release(rec->ch); /* JS's, which we will not hand out */
		rec_release(rec);
		rec_release(rec);
		rec = NULL;
		goto out;
	}
	atomic_store(&rec->bug, bug);

	switch_mutex_lock(s->mutex);
	/* A hangup may have closed the bug already; CLOSE unregisters under this same lock. */
	for (int i = 0; i < OAIR_MAX_BUGS_PER_SESSION && !atomic_load(&rec->closed); i++) {
		if (!s->bugs[i]) {
			s->bugs[i] = rec;
			break;
		}
	}
	if (!s->dtmf_hook) {
		switch_core_event_hook_add_recv_dtmf(session, oair_on_dtmf);
		s->dtmf_hook = 1;
	}
	switch_mutex_unlock(s->mutex);

	if (start_writer(rec) != 0) {
		atomic_store(&rec->owner, OWNER_REPLACE);
		switch_log_printf(SWITCH_CHANNEL_SESSION_LOG(session), SWITCH_LOG_WARNING,
						  "%s: cannot start the writer thread: the assistant is heard only while the channel writes frames\n", rec->name);
		rec_release(rec);
	}

	switch_log_printf(SWITCH_CHANNEL_SESSION_LOG(session), SWITCH_LOG_DEBUG, "%s attached: %u Hz, %u samples per frame (%u ms), mix %d\n",
					  rec->name, rate, frame_samples, ptime_ms, (int) req->mix);
	result->sample_rate = rate;
	result->frame_samples = frame_samples;
	*out = rec->ch;
	rec = NULL; /* now owned by the bug and the writer */
	rc = 0;

out:
	if (rec) {
		if (rec->ch) {
			oair_channel_release(rec->ch);
			oair_channel_release(rec->ch);
		}
		free(rec->capture_buf);
		free(rec->writer_buf);
		free(rec);
	}
	switch_core_session_rwunlock(session);
	return rc;
}

/* Removes the bug of a record (Node thread or shutdown). CLOSE runs inside, synchronously. */
static void remove_bug(oair_bug_t *rec)
{
	switch_media_bug_t *bug = atomic_load(&rec->bug);
	switch_core_session_t *session;
	if (!bug || atomic_load(&rec->closed)) return;
	/* Force: a hung-up channel still running its dialplan (the seed's `stop` after silence_stream ends
	 * on hangup) would otherwise keep the bug until its session thread reaches CS_HANGUP — and that
	 * thread may be the one waiting for this very stop to return. Fails only once destroyed. */
	if (!(session = switch_core_session_force_locate(rec->uuid))) return;
	/* A bug that closed meanwhile is simply not found in the session's list (its memory is the
	 * session's and stays valid while we hold the read lock). */
	switch_core_media_bug_remove(session, &bug);
	switch_core_session_rwunlock(session);
}

static void host_detach(void *ctx, oair_channel *ch)
{
	oair_bug_t *rec;
	(void) ctx;
	if (!ch || !(rec = rec_from_channel(ch))) return;
	remove_bug(rec);
	rec_release(rec);
}

static int host_control(void *ctx, const char *uuid, const char *action, const char *const *args, char *err, size_t err_len)
{
	switch_core_session_t *session;
	switch_channel_t *channel;
	const char *a0 = args && args[0] ? args[0] : NULL;
	const char *a1 = a0 && args[1] ? args[1] : NULL;
	const char *a2 = a1 && args[2] ? args[2] : NULL;
	int rc = 0;
	(void) ctx;

	if (zstr(uuid) || zstr(action)) {
		set_err(err, err_len, "missing uuid or action%s", "");
		return -1;
	}
	if (!(session = switch_core_session_locate(uuid))) {
		set_err(err, err_len, "no such channel %s", uuid);
		return -1;
	}
	channel = switch_core_session_get_channel(session);

	if (!strcasecmp(action, "hangup")) {
		switch_call_cause_t cause = zstr(a0) ? SWITCH_CAUSE_NORMAL_CLEARING : switch_channel_str2cause(a0);
		if (cause == SWITCH_CAUSE_NONE) cause = SWITCH_CAUSE_NORMAL_CLEARING;
		switch_channel_hangup(channel, cause);
	} else if (!strcasecmp(action, "transfer")) {
		if (zstr(a0)) {
			set_err(err, err_len, "transfer needs a destination%s", "");
			rc = -1;
		} else if (switch_ivr_session_transfer(session, a0, zstr(a1) ? NULL : a1, zstr(a2) ? NULL : a2) != SWITCH_STATUS_SUCCESS) {
			set_err(err, err_len, "transfer to %s failed", a0);
			rc = -1;
		}
	} else if (!strcasecmp(action, "send_dtmf")) {
		if (zstr(a0)) {
			set_err(err, err_len, "send_dtmf needs digits%s", "");
			rc = -1;
		} else if (switch_core_session_send_dtmf_string(session, a0) != SWITCH_STATUS_SUCCESS) {
			set_err(err, err_len, "cannot send DTMF %s", a0);
			rc = -1;
		}
	} else if (!strcasecmp(action, "set_var")) {
		if (zstr(a0)) {
			set_err(err, err_len, "set_var needs a name and a value%s", "");
			rc = -1;
		} else {
			switch_channel_set_variable(channel, a0, a1);
		}
	} else if (!strcasecmp(action, "play")) {
		if (zstr(a0)) {
			set_err(err, err_len, "play needs a path%s", "");
			rc = -1;
		} else {
			/* switch_ivr_broadcast reads "app::args" and "app!cause" from its path argument: name the
			 * application ourselves so a path can never run anything but playback, and play it to this
			 * leg only (queued for the session's own thread: nothing here waits for it). */
			char *path = switch_mprintf("playback::%s", a0);
			if (!path || switch_ivr_broadcast(uuid, path, SMF_ECHO_ALEG) != SWITCH_STATUS_SUCCESS) {
				set_err(err, err_len, "cannot play %s", a0);
				rc = -1;
			}
			switch_safe_free(path);
		}
	} else if (!strcasecmp(action, "break")) {
		/* As uuid_break: a broadcast (our "play") is stopped as a broadcast, anything else gets CF_BREAK. */
		if (switch_channel_test_flag(channel, CF_BROADCAST)) {
			switch_channel_stop_broadcast(channel);
		} else {
			switch_channel_set_flag(channel, CF_BREAK);
		}
	} else {
		set_err(err, err_len, "unknown action %s", action);
		rc = -1;
	}
	switch_core_session_rwunlock(session);
	return rc;
}

static const oair_host_ops oair_ops = {NULL, host_log, host_fire_event, host_get_var, host_attach, host_detach, host_control};

/* ------------------------------------------------------------------------------------------------
 * API commands (API threads): the whole argument string goes to JS, even when empty.
 */
static switch_status_t forward_api(const char *api, const char *cmd, switch_stream_handle_t *stream)
{
	char *reply = oair_runtime_command(api, cmd ? cmd : "", g.command_timeout_ms);
	if (reply) {
		size_t n = strlen(reply);
		stream->write_function(stream, "%s%s", reply, n && reply[n - 1] == '\n' ? "" : "\n");
		free(reply);
	} else {
		stream->write_function(stream, "-ERR no reply\n");
	}
	return SWITCH_STATUS_SUCCESS;
}

SWITCH_STANDARD_API(api_audio_stream)
{
	(void) session;
	return forward_api("uuid_openai_audio_stream", cmd, stream);
}

SWITCH_STANDARD_API(api_raw_audio_stream)
{
	(void) session;
	return forward_api("uuid_raw_audio_stream", cmd, stream);
}

SWITCH_STANDARD_API(api_s2s)
{
	(void) session;
	return forward_api("uuid_openai_s2s", cmd, stream);
}

SWITCH_STANDARD_API(api_admin)
{
	(void) session;
	return forward_api("openai_realtime", cmd, stream);
}

/* ------------------------------------------------------------------------------------------------
 * Configuration
 */
static uint32_t parse_u32(const char *name, const char *value, uint32_t min, uint32_t max, uint32_t def)
{
	char *end = NULL;
	unsigned long v;
	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno || !end || *end || end == value || v < min || v > max) {
		switch_log_printf(SWITCH_CHANNEL_LOG, SWITCH_LOG_WARNING, "%s: invalid %s \"%s\" (%u..%u), using %u\n", OAIR_CONFIG_NAME, name,
						  value, min, max, def);
		return def;
	}
	return (uint32_t) v;
}

static void load_config(void)
{
	switch_xml_t xml, cfg, settings, param;

	memset(&g, 0, sizeof g);
	copy_str(g.bundle_dir, sizeof g.bundle_dir, OAIR_DEFAULT_BUNDLE_DIR);
	g.log_level = SWITCH_LOG_DEBUG;
	g.command_timeout_ms = 5000;
	g.capture_ring_ms = 1000;
	g.playback_ring_ms = 1000;
	g.start_timeout_ms = 15000;
	g.stop_timeout_ms = 5000;
	g.restart_delay_ms = 2000;
	snprintf(g.config_file, sizeof g.config_file, "%s%sautoload_configs%s%s.xml", SWITCH_GLOBAL_dirs.conf_dir, SWITCH_PATH_SEPARATOR,
			 SWITCH_PATH_SEPARATOR, OAIR_CONFIG_NAME);
	if (access(g.config_file, R_OK) != 0) g.config_file[0] = '\0';

	if (!(xml = switch_xml_open_cfg(OAIR_CONFIG_NAME, &cfg, NULL))) {
		switch_log_printf(SWITCH_CHANNEL_LOG, SWITCH_LOG_NOTICE, "%s not found: using defaults (bundle-dir %s)\n", OAIR_CONFIG_NAME,
						  g.bundle_dir);
		return;
	}
	if ((settings = switch_xml_child(cfg, "settings"))) {
		for (param = switch_xml_child(settings, "param"); param; param = param->next) {
			const char *name = switch_xml_attr_soft(param, "name");
			const char *value = switch_xml_attr_soft(param, "value");
			if (!strcasecmp(name, "bundle-dir")) {
				if (!zstr(value)) copy_str(g.bundle_dir, sizeof g.bundle_dir, value);
			} else if (!strcasecmp(name, "heap-limit-mb")) {
				g.heap_limit_mb = parse_u32(name, value, 0, 65536, 0);
			} else if (!strcasecmp(name, "log-level")) {
				switch_log_level_t l = switch_log_str2level(value);
				if (l == SWITCH_LOG_INVALID) {
					switch_log_printf(SWITCH_CHANNEL_LOG, SWITCH_LOG_WARNING, "%s: invalid log-level \"%s\"\n", OAIR_CONFIG_NAME, value);
				} else {
					g.log_level = (int) l;
				}
			} else if (!strcasecmp(name, "command-timeout-ms")) {
				g.command_timeout_ms = parse_u32(name, value, 100, 600000, 5000);
			} else if (!strcasecmp(name, "capture-ring-ms")) {
				g.capture_ring_ms = parse_u32(name, value, 40, 60000, 1000);
			} else if (!strcasecmp(name, "playback-ring-ms")) {
				g.playback_ring_ms = parse_u32(name, value, 40, 60000, 1000);
			} else if (!strcasecmp(name, "start-timeout-ms")) {
				g.start_timeout_ms = parse_u32(name, value, 1000, 600000, 15000);
			} else if (!strcasecmp(name, "stop-timeout-ms")) {
				g.stop_timeout_ms = parse_u32(name, value, 100, 600000, 5000);
			} else if (!strcasecmp(name, "restart-delay-ms")) {
				g.restart_delay_ms = parse_u32(name, value, 0, 600000, 2000);
			} else if (!zstr(name)) {
				/* Profiles and the rest are JS's to read from the file itself. */
				switch_log_printf(SWITCH_CHANNEL_LOG, SWITCH_LOG_DEBUG, "%s: setting %s left to the runtime\n", OAIR_CONFIG_NAME, name);
			}
		}
	}
	switch_xml_free(xml);
}

static void build_config_json(char *out, size_t cap)
{
	char file[2048], bundle[2048], level[64], version[256], temp[2048];
	json_escape(file, sizeof file, g.config_file);
	/* FreeSWITCH's temp_dir (-temp, switch.conf): where the debug WAVs go, as with the module we replace. */
	json_escape(temp, sizeof temp, SWITCH_GLOBAL_dirs.temp_dir ? SWITCH_GLOBAL_dirs.temp_dir : "");
	json_escape(bundle, sizeof bundle, g.bundle_dir);
	json_escape(level, sizeof level, switch_log_level2str((switch_log_level_t) g.log_level));
	json_escape(version, sizeof version, switch_version_full());
	snprintf(out, cap,
			 "{\"host\":\"freeswitch\",\"configFile\":%s%s%s,\"commandTimeoutMs\":%u,\"captureRingMs\":%u,\"playbackRingMs\":%u,"
			 "\"logLevel\":\"%s\",\"heapLimitMb\":%u,\"bundleDir\":\"%s\",\"freeswitchVersion\":\"%s\",\"tempDir\":\"%s\"}",
			 *file ? "\"" : "", *file ? file : "null", *file ? "\"" : "", g.command_timeout_ms, g.capture_ring_ms, g.playback_ring_ms,
			 level, g.heap_limit_mb, bundle, version, temp);
}

/* ------------------------------------------------------------------------------------------------
 * Module lifecycle
 */

/* Removes every bug we still have (JS normally detached them all) and waits for the writers. */
static void remove_all_bugs(uint32_t wait_ms)
{
	oair_bug_t **list = NULL;
	int n = 0, cap = 0;
	struct timespec deadline;

	pthread_mutex_lock(&g_recs_mutex);
	for (oair_bug_t *r = g_recs; r; r = r->next) cap++;
	if (cap && (list = calloc((size_t) cap, sizeof(*list)))) {
		for (oair_bug_t *r = g_recs; r && n < cap; r = r->next) {
			r->refs++;
			list[n++] = r;
		}
	}
	pthread_mutex_unlock(&g_recs_mutex);
	for (int i = 0; i < n; i++) {
		remove_bug(list[i]);
		rec_release(list[i]);
	}
	free(list);

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += wait_ms / 1000;
	deadline.tv_nsec += (long) (wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&g_recs_mutex);
	while (g_live_recs > 0) {
		if (pthread_cond_timedwait(&g_recs_cond, &g_recs_mutex, &deadline) == ETIMEDOUT) break;
	}
	n = g_live_recs;
	pthread_mutex_unlock(&g_recs_mutex);
	if (n > 0) {
		switch_log_printf(SWITCH_CHANNEL_LOG, SWITCH_LOG_WARNING, "%d media stream(s) still finishing; they end with their channels\n", n);
	}
}

/* Debian's libnode loads these builtins from disk when it creates an Environment and aborts the
 * whole process (FreeSWITCH with it) if one is missing (docs/embedding.md §0.1). */
static const char *const oair_node_builtins[] = {
	"/usr/share/nodejs/acorn/dist/acorn.js",
	"/usr/share/nodejs/acorn-walk/dist/walk.js",
	"/usr/share/nodejs/cjs-module-lexer/lexer.js",
	"/usr/share/nodejs/cjs-module-lexer/dist/lexer.js",
	"/usr/share/nodejs/undici/undici-fetch.js",
	NULL
};

/* What must exist before Node may start; a reason for the log, or NULL. */
static const char *check_prerequisites(char *why, size_t len)
{
	char main_js[1100];
	char builtin[4096];
	for (const char *const *f = oair_node_builtins; *f; f++) {
		/* The private copy beside a self-contained install's libnode, else the Debian path. */
		const char *path = oair_node_builtin_path(*f, builtin, sizeof builtin);
		if (access(path, R_OK) != 0) {
			snprintf(why, len, "%s is missing: install node-acorn, node-cjs-module-lexer and node-undici (libnode108's run-time files), "
					 "or install the module with its private libnode; starting Node without it would abort FreeSWITCH", path);
			return why;
		}
	}
	snprintf(main_js, sizeof main_js, "%s/dist/main.js", g.bundle_dir);
	if (access(main_js, R_OK) != 0) {
		snprintf(why, len, "%s not found: install the runtime bundle there, or set bundle-dir in %s.xml", main_js, OAIR_CONFIG_NAME);
		return why;
	}
	return NULL;
}

static void free_subclasses(void)
{
	if (!g.subclasses_reserved) return;
	for (const char *const *s = oair_event_subclasses; *s; s++) switch_event_free_subclass(*s);
	g.subclasses_reserved = 0;
}

SWITCH_MODULE_LOAD_FUNCTION(mod_openai_realtime_load)
{
	switch_api_interface_t *api = NULL;
	oair_runtime_config rc = {0};
	char config_json[8192], heap_opt[64], err[2048] = "";
	const char *node_options[2] = {NULL, NULL};
	char complete[256];

	if (switch_loadable_module_exists("mod_v8") == SWITCH_STATUS_SUCCESS) {
		switch_log_printf(SWITCH_CHANNEL_LOG, SWITCH_LOG_CRIT,
						  "mod_openai_realtime cannot run next to mod_v8: both embed V8 and the process would abort. "
						  "Unload mod_v8 (and remove it from modules.conf.xml) to use mod_openai_realtime.\n");
		return SWITCH_STATUS_GENERR;
	}

	load_config();
	if (check_prerequisites(err, sizeof err)) {
		switch_log_printf(SWITCH_CHANNEL_LOG, SWITCH_LOG_CRIT, "mod_openai_realtime not loaded: %s\n", err);
		return SWITCH_STATUS_GENERR;
	}
	{
		/* Writers run with the scheduling of FreeSWITCH's threads, not the Node thread's. */
		if (pthread_getschedparam(pthread_self(), &g.writer_policy, &g.writer_param) != 0) {
			g.writer_policy = SCHED_OTHER;
			memset(&g.writer_param, 0, sizeof g.writer_param);
		}
	}

	*module_interface = switch_loadable_module_create_module_interface(pool, modname);

	g.subclasses_reserved = 1;
	for (const char *const *s = oair_event_subclasses; *s; s++) {
		if (switch_event_reserve_subclass(*s) != SWITCH_STATUS_SUCCESS) {
			switch_log_printf(SWITCH_CHANNEL_LOG, SWITCH_LOG_WARNING, "Couldn't reserve event subclass %s (already reserved)\n", *s);
		}
	}

	build_config_json(config_json, sizeof config_json);
	if (g.heap_limit_mb) {
		snprintf(heap_opt, sizeof heap_opt, "--max-old-space-size=%u", g.heap_limit_mb);
		node_options[0] = heap_opt;
	}
	rc.bundle_dir = g.bundle_dir;
	rc.host_name = "freeswitch";
	rc.config_json = config_json;
	rc.node_options = node_options;
	rc.start_timeout_ms = g.start_timeout_ms;
	rc.restart_delay_ms = g.restart_delay_ms;
	if (oair_runtime_start(&rc, &oair_ops, err, sizeof err) != 0) {
		switch_log_printf(SWITCH_CHANNEL_LOG, SWITCH_LOG_CRIT, "mod_openai_realtime: the runtime did not start (bundle-dir %s): %s\n",
						  g.bundle_dir, err);
		free_subclasses();
		return SWITCH_STATUS_GENERR;
	}
	g.runtime_started = 1;

	SWITCH_ADD_API(api, "uuid_openai_audio_stream", "OpenAI Realtime audio stream",
				   api_audio_stream, "<uuid> [start | stop | pause | resume | mute | unmute | send_json] ...");
	SWITCH_ADD_API(api, "uuid_raw_audio_stream", "OpenAI Realtime raw audio stream", api_raw_audio_stream,
				   "<uuid> [start | stop | pause | resume | mute | unmute | send_json] ...");
	SWITCH_ADD_API(api, "uuid_openai_s2s", "OpenAI Realtime speech-to-speech session", api_s2s,
				   "<uuid> [session.create | session.delete | client.event] ...");
	SWITCH_ADD_API(api, "openai_realtime", "mod_openai_realtime status and diagnostics", api_admin, "status [json] | echo <uuid> start [delay_ms] | echo <uuid> stop");
	for (const char *const *c = oair_completions; *c; c++) {
		snprintf(complete, sizeof complete, "add %s", *c);
		switch_console_set_complete(complete);
	}

	switch_log_printf(SWITCH_CHANNEL_LOG, SWITCH_LOG_NOTICE, "mod_openai_realtime loaded (runtime bundle %s, config %s)\n", g.bundle_dir,
					  *g.config_file ? g.config_file : "none");
	return SWITCH_STATUS_SUCCESS;
}

SWITCH_MODULE_SHUTDOWN_FUNCTION(mod_openai_realtime_shutdown)
{
	char complete[256];

	for (const char *const *a = oair_apis; *a; a++) {
		snprintf(complete, sizeof complete, "del %s", *a);
		switch_console_set_complete(complete);
	}
	if (g.runtime_started) {
		/* JS ends every session first (close frames, last events, detach), then Node stops. */
		oair_runtime_stop(g.stop_timeout_ms);
		g.runtime_started = 0;
	}
	remove_all_bugs(3000);
	free_subclasses();
	/* Never unmapped (-z nodelete): libnode cannot be initialised twice in one process. */
	return SWITCH_STATUS_NOUNLOAD;
}
