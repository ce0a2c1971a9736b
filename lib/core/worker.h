/*
 * worker.h - one long-lived helper thread that runs one job at a time.
 *
 * Streaming loops overlap two things (computing a chunk while the last one
 * is written, or encoding half a batch while the caller does the other
 * half).  Creating a thread per chunk cost a clone() and a join every few
 * megabytes; a worker made once per output or image does not.
 */
#ifndef OI_WORKER_H
#define OI_WORKER_H

#include <pthread.h>
#include <stdbool.h>

typedef void (*oi_job_fn)(void *arg);

struct oi_worker {
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	bool		 started;
	bool		 busy;		/* a job is handed over and not done */
	bool		 quit;
	oi_job_fn	 fn;
	void		*arg;
};

/*
 * Hands fn(arg) to the worker, starting its thread at the first call, after
 * the previous job is done.  Returns false when no thread could be made:
 * the caller then runs the job itself.  A zeroed struct is a valid,
 * stopped worker.
 */
bool oi_worker_submit(struct oi_worker *w, oi_job_fn fn, void *arg);
/* Waits until the job handed over last, if any, is done. */
void oi_worker_wait(struct oi_worker *w);
/* Waits for the last job and ends the thread; the worker may be reused. */
void oi_worker_stop(struct oi_worker *w);

#endif
