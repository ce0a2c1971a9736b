/*
 * worker.c - one long-lived helper thread that runs one job at a time.
 */
#include "config.h"

#include "worker.h"

static void *
worker_main(void *arg)
{
	struct oi_worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->busy && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->busy)
			break;
		pthread_mutex_unlock(&w->mu);
		w->fn(w->arg);
		pthread_mutex_lock(&w->mu);
		w->busy = false;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static bool
worker_start(struct oi_worker *w)
{
	if (pthread_mutex_init(&w->mu, NULL) != 0)
		return false;
	if (pthread_cond_init(&w->cv, NULL) != 0) {
		pthread_mutex_destroy(&w->mu);
		return false;
	}
	w->busy = w->quit = false;
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		return false;
	}
	w->started = true;
	return true;
}

bool
oi_worker_submit(struct oi_worker *w, oi_job_fn fn, void *arg)
{
	if (!w->started && !worker_start(w))
		return false;
	oi_worker_wait(w);
	pthread_mutex_lock(&w->mu);
	w->fn = fn;
	w->arg = arg;
	w->busy = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return true;
}

void
oi_worker_wait(struct oi_worker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->mu);
	while (w->busy)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

void
oi_worker_stop(struct oi_worker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->mu);
	while (w->busy)
		pthread_cond_wait(&w->cv, &w->mu);
	w->quit = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	w->started = false;
}
