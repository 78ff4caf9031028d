/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pool.h - a small worker-thread pool running backend I/O jobs.  Finished
 * jobs are handed back to the event loop (eventfd readable); only the event
 * loop touches rings.  nthreads = 0 runs jobs synchronously (tests, fuzzing).
 */
#ifndef IVSHMD_POOL_H
#define IVSHMD_POOL_H

#include <pthread.h>
#include <stdbool.h>

#define IVD_POOL_MAX_THREADS	32

struct ivd_job {
	struct ivd_job *next;
	void (*run)(struct ivd_job *job);
};

struct ivd_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;
	pthread_cond_t idle;
	struct ivd_job *todo, **todo_tail;
	struct ivd_job *done, **done_tail;
	unsigned int pending;	/* submitted, run() not finished */
	bool stop;
	int efd;		/* readable while done jobs wait */
	unsigned int nthreads;
	pthread_t threads[IVD_POOL_MAX_THREADS];
};

int ivd_pool_init(struct ivd_pool *p, unsigned int nthreads);
void ivd_pool_destroy(struct ivd_pool *p);
void ivd_pool_submit(struct ivd_pool *p, struct ivd_job *job);
/* Take every finished job (a list linked by next, in completion order). */
struct ivd_job *ivd_pool_take_done(struct ivd_pool *p);
/* Wait until no job is running or queued (finished ones stay in done). */
void ivd_pool_wait_idle(struct ivd_pool *p);

#endif
