/*
 * chd_ahead.c - decoding a CHD's hunks ahead of a reader that goes through
 * them in order (convert to BIN/CUE, verify), on every core.
 *
 * chdman extractcd decodes one hunk after the other on one core, and LZMA
 * decoding is three quarters of the work.  Here, once two hunks in a row
 * are asked for, one worker a core claims the hunks of a window of
 * AHEAD_SLOTS after the reader's, in order, and decodes each into its slot;
 * the reader copies a decoded hunk out, waits for one being decoded, or
 * decodes the next unclaimed one itself.  A read out of order stops the
 * workers (what they decoded is dropped), and two reads in order start
 * them again at the new place.  Workers use their own codecs and scratch
 * and only read the file; a hunk held by a parent CHD, or one that fails,
 * is left to the reader, which reads it (and words the error) as it always
 * did.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "chd.h"

#define AHEAD_SLOTS	32
#define AHEAD_WORKERS	8

enum slot_state { S_FREE, S_BUSY, S_DONE, S_FAILED };

struct ahead_worker {
	struct chd_ahead	*a;
	pthread_t		 thread;
	struct chd_codec	*codec[4];
	uint8_t			*cbuf;
};

struct chd_ahead {
	struct oi_chd		*chd;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* any slot or window change */
	uint8_t			*data;		/* AHEAD_SLOTS hunks */
	uint8_t			 state[AHEAD_SLOTS];
	uint32_t		 slot_hunk[AHEAD_SLOTS];
	uint32_t		 base;		/* the reader's hunk */
	uint32_t		 next;		/* the next to claim */
	uint32_t		 last;		/* the reader's last miss + 1 */
	bool			 active, quit;
	unsigned		 nworkers;
	struct ahead_worker	 worker[AHEAD_WORKERS];
};

/* The next hunk a worker may claim, if any: in the window, slot free. */
static bool
claimable(const struct chd_ahead *a)
{
	return a->active && a->next < a->base + AHEAD_SLOTS &&
	    a->next < a->chd->hunk_count &&
	    a->state[a->next % AHEAD_SLOTS] == S_FREE;
}

static void *
work(void *arg)
{
	struct ahead_worker *wk = arg;
	struct chd_ahead *a = wk->a;
	size_t hb = a->chd->hunk_bytes;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (!a->quit && !claimable(a))
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->quit)
			break;
		uint32_t h = a->next++, at = h;
		unsigned i = h % AHEAD_SLOTS;
		const char *why;
		a->state[i] = S_BUSY;
		a->slot_hunk[i] = h;
		pthread_mutex_unlock(&a->mu);
		int rc = oi_chd_decode_hunk(a->chd, &at, a->data + i * hb,
		    wk->codec, wk->cbuf, &why);
		pthread_mutex_lock(&a->mu);
		a->state[i] = rc == OPTIMG_OK ? S_DONE : S_FAILED;
		pthread_cond_broadcast(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

static void
worker_release(struct ahead_worker *wk)
{
	for (int c = 0; c < 4; c++)
		chd_codec_free(wk->codec[c]);
	free(wk->cbuf);
}

static bool
worker_setup(struct chd_ahead *a, struct ahead_worker *wk)
{
	const struct oi_chd *chd = a->chd;

	wk->a = a;
	wk->cbuf = malloc((size_t)chd->hunk_bytes * 2 + 64);
	if (wk->cbuf == NULL)
		return false;
	for (int c = 0; c < 4; c++)
		if (chd->codecs[c] != CHD_CODEC_NONE &&
		    chd_codec_new(chd->codecs[c], chd->hunk_bytes,
		    &wk->codec[c]) < 0)
			return false;
	return true;
}

struct chd_ahead *
oi_chd_ahead_new(struct oi_chd *chd)
{
	unsigned want = OI_MIN(oi_cpu_count(), AHEAD_WORKERS);
	struct chd_ahead *a;

	/* One core gains nothing; other streams may not be read at once. */
	if (want < 2 || oi_stream_plain_fd(&chd->st) < 0)
		return NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->chd = chd;
	a->data = malloc((size_t)AHEAD_SLOTS * chd->hunk_bytes);
	if (a->data == NULL || pthread_mutex_init(&a->mu, NULL) != 0) {
		free(a->data);
		free(a);
		return NULL;
	}
	if (pthread_cond_init(&a->cv, NULL) != 0) {
		pthread_mutex_destroy(&a->mu);
		free(a->data);
		free(a);
		return NULL;
	}
	while (a->nworkers < want) {
		struct ahead_worker *wk = &a->worker[a->nworkers];
		if (!worker_setup(a, wk) ||
		    pthread_create(&wk->thread, NULL, work, wk) != 0) {
			worker_release(wk);
			break;
		}
		a->nworkers++;
	}
	if (a->nworkers == 0) {
		oi_chd_ahead_free(a);
		return NULL;
	}
	return a;
}

void
oi_chd_ahead_free(struct chd_ahead *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->quit = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	for (unsigned i = 0; i < a->nworkers; i++) {
		pthread_join(a->worker[i].thread, NULL);
		worker_release(&a->worker[i]);
	}
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	free(a->data);
	free(a);
}

/* Moves the window to start at hunk (under mu). */
static void
seek(struct chd_ahead *a, uint32_t hunk, bool sequential)
{
	if (sequential && a->active) {
		/* Hunks before the reader's are read: their slots are free. */
		for (uint32_t h = a->base; h < hunk && h < a->next; h++)
			if (a->slot_hunk[h % AHEAD_SLOTS] == h &&
			    a->state[h % AHEAD_SLOTS] != S_BUSY)
				a->state[h % AHEAD_SLOTS] = S_FREE;
		a->base = hunk;
		if (a->next < hunk)
			a->next = hunk;
	} else {
		a->active = false;
		for (;;) {		/* let what is being decoded land */
			bool busy = false;
			for (unsigned i = 0; i < AHEAD_SLOTS; i++)
				busy |= a->state[i] == S_BUSY;
			if (!busy)
				break;
			pthread_cond_wait(&a->cv, &a->mu);
		}
		memset(a->state, S_FREE, sizeof(a->state));
		a->base = a->next = hunk;
		a->active = sequential;
	}
	pthread_cond_broadcast(&a->cv);
}

bool
oi_chd_ahead_get(struct chd_ahead *a, uint32_t hunk, uint8_t *out)
{
	struct oi_chd *chd = a->chd;
	unsigned i = hunk % AHEAD_SLOTS;
	bool sequential, mine = false, ok = false;
	const char *why;

	pthread_mutex_lock(&a->mu);
	sequential = hunk == a->last && a->last != 0;
	a->last = hunk + 1;
	if (!sequential && !a->active) {
		pthread_mutex_unlock(&a->mu);
		return false;
	}
	seek(a, hunk, sequential);
	if (!a->active) {
		pthread_mutex_unlock(&a->mu);
		return false;
	}
	while (a->slot_hunk[i] == hunk && a->state[i] == S_BUSY)
		pthread_cond_wait(&a->cv, &a->mu);
	if (a->slot_hunk[i] == hunk && a->state[i] == S_DONE) {
		memcpy(out, a->data + (size_t)i * chd->hunk_bytes,
		    chd->hunk_bytes);
		ok = true;
	} else if (a->next == hunk) {
		a->next++;		/* no worker got to it: decode it here */
		mine = true;
	}
	if (a->slot_hunk[i] == hunk && a->state[i] != S_BUSY)
		a->state[i] = S_FREE;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	if (mine)
		ok = oi_chd_decode_hunk(chd, &hunk, out, chd->codec, chd->cbuf,
		    &why) == OPTIMG_OK;
	return ok;
}
