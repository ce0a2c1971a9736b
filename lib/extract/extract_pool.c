/*
 * extract_pool.c - the worker threads of an extraction.  The walk fills
 * a batch with the regular files of one directory and queues it; a
 * worker takes the whole batch, so different workers mostly create in
 * different directories.  Each worker opens the image once more, as a
 * file system is not thread-safe.  The queue is bounded: the walk waits
 * (reporting progress meanwhile) when EX_QUEUE batches are waiting.
 * Without workers, a batch is written at once on the calling thread.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "extract_private.h"
#include "fs_private.h"

static void
run_batch(struct ex_reader *r, struct ex_batch *b)
{
	struct ex_file *f;
	unsigned i;

	for (i = 0; i < b->n; i++) {
		f = b->files[i];
		if (!oi_ex_canceled(r->ex))
			oi_ex_write_file(r, b->dir, f);
		else if (f->primary)
			oi_ex_link_settle(r->ex, f->st.ino, f->path + 1,
			    false);
		free(f);
	}
	oi_ex_dir_release(r->ex, b->dir, 1);
	free(b);
}

static void *
worker_main(void *arg)
{
	struct ex_reader *r = arg;
	struct ex *ex = r->ex;
	struct ex_batch *b;

	for (;;) {
		pthread_mutex_lock(&ex->mu);
		while (ex->head == NULL && !ex->closing)
			pthread_cond_wait(&ex->work, &ex->mu);
		if ((b = ex->head) == NULL) {
			pthread_mutex_unlock(&ex->mu);
			return NULL;
		}
		if ((ex->head = b->next) == NULL)
			ex->tail = &ex->head;
		ex->queued--;
		ex->busy++;
		pthread_mutex_unlock(&ex->mu);

		run_batch(r, b);

		pthread_mutex_lock(&ex->mu);
		ex->busy--;
		pthread_cond_broadcast(&ex->idle);
		pthread_mutex_unlock(&ex->mu);
	}
}

void
oi_ex_wait_idle_tick(struct ex *ex)
{
	struct timespec until;

	if (ex->nworkers == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 200 * 1000 * 1000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&ex->idle, &ex->mu, &until);
	oi_ex_progress(ex);
}

/* Hands the batch being filled to a worker, or writes it at once. */
void
oi_ex_flush_batch(struct ex *ex)
{
	struct ex_batch *b = ex->cur;

	if (b == NULL)
		return;
	ex->cur = NULL;
	if (ex->nworkers == 0) {
		run_batch(&ex->main, b);
		oi_ex_progress(ex);
		return;
	}
	pthread_mutex_lock(&ex->mu);
	while (ex->queued >= EX_QUEUE)
		oi_ex_wait_idle_tick(ex);
	b->next = NULL;
	*ex->tail = b;
	ex->tail = &b->next;
	ex->queued++;
	pthread_cond_signal(&ex->work);
	pthread_mutex_unlock(&ex->mu);
	oi_ex_progress(ex);
}

/* Waits until every batch is written. */
static void
drain(struct ex *ex)
{
	oi_ex_flush_batch(ex);
	if (ex->nworkers == 0)
		return;
	pthread_mutex_lock(&ex->mu);
	while (ex->queued > 0 || ex->busy > 0)
		oi_ex_wait_idle_tick(ex);
	pthread_mutex_unlock(&ex->mu);
}

static struct ex_file *
file_copy(const char *path, const struct optimg_fs_stat *st, bool primary)
{
	size_t nlen = strlen(st->name) + 1, plen = strlen(path) + 1;
	size_t elen = (size_t)st->nextents * sizeof(*st->extents);
	struct ex_file *f = malloc(sizeof(*f) + elen + nlen + plen);
	char *p;

	if (f == NULL)
		return NULL;
	f->st = *st;
	f->primary = primary;
	p = (char *)(f + 1);
	if (elen > 0)
		memcpy(p, st->extents, elen);
	f->st.extents = elen > 0 ? (const struct optimg_fs_extent *)p : NULL;
	p += elen;
	f->st.name = memcpy(p, st->name, nlen);
	p += nlen;
	f->path = memcpy(p, path, plen);
	f->st.symlink = NULL;
	return f;
}

void
oi_ex_queue_file(struct ex *ex, const char *path,
    const struct optimg_fs_stat *st, bool primary)
{
	struct ex_batch *b = ex->cur;
	struct ex_file *f;

	if (b == NULL) {
		if ((b = calloc(1, sizeof(*b))) == NULL)
			goto nomem;
		b->dir = oi_ex_top_dir(ex);
		oi_ex_lock(ex);
		b->dir->refs++;
		oi_ex_unlock(ex);
		ex->cur = b;
	}
	if ((f = file_copy(path, st, primary)) == NULL)
		goto nomem;
	b->files[b->n++] = f;
	b->bytes += st->size;
	if (b->n == EX_BATCH_FILES || b->bytes >= EX_BATCH_BYTES)
		oi_ex_flush_batch(ex);
	return;
nomem:
	oi_ex_report(ex, OPTIMG_EXTRACT_NOMEM, path, NULL, 0);
	if (primary)
		oi_ex_link_settle(ex, st->ino, path + 1, false);
}

/* ---- workers ------------------------------------------------------------ */

static unsigned
want_workers(int threads)
{
	long n = threads;

	if (threads < 0)
		n = sysconf(_SC_NPROCESSORS_ONLN) * 2;
	return n < 0 ? 0 : n > EX_WORKERS ? EX_WORKERS : (unsigned)n;
}

void
oi_ex_start_workers(struct ex *ex)
{
	unsigned want = want_workers(ex->opts->threads), i;
	sigset_t all, old;

	pthread_mutex_init(&ex->mu, NULL);
	pthread_cond_init(&ex->work, NULL);
	pthread_cond_init(&ex->idle, NULL);
	ex->tail = &ex->head;
	/* Signals (Ctrl-C) stay with the caller's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < want; i++) {
		struct ex_reader *r = &ex->workers[ex->nworkers];

		r->ex = ex;
		if (oi_fs_reopen(ex->fs, &r->img, &r->fs) < 0)
			break;
		if (pthread_create(&r->thread, NULL, worker_main, r) != 0) {
			optimg_fs_free(r->fs);
			optimg_image_free(r->img);
			break;
		}
		ex->nworkers++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void
oi_ex_stop_workers(struct ex *ex)
{
	unsigned i;

	drain(ex);
	if (ex->nworkers > 0) {
		pthread_mutex_lock(&ex->mu);
		ex->closing = true;
		pthread_cond_broadcast(&ex->work);
		pthread_mutex_unlock(&ex->mu);
	}
	for (i = 0; i < ex->nworkers; i++) {
		pthread_join(ex->workers[i].thread, NULL);
		optimg_fs_free(ex->workers[i].fs);
		optimg_image_free(ex->workers[i].img);
	}
	ex->nworkers = 0;
	pthread_mutex_destroy(&ex->mu);
	pthread_cond_destroy(&ex->work);
	pthread_cond_destroy(&ex->idle);
}
