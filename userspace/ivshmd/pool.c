// SPDX-License-Identifier: GPL-2.0
/* pool.c - worker threads for backend I/O. */
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "pool.h"

static void finish(struct ivd_pool *p, struct ivd_job *job)
{
	uint64_t one = 1;
	bool wake;

	/* caller holds p->lock */
	job->next = NULL;
	wake = !p->done;
	*p->done_tail = job;
	p->done_tail = &job->next;
	if (--p->pending == 0)
		pthread_cond_broadcast(&p->idle);
	if (wake && write(p->efd, &one, sizeof(one)) < 0)
		ivd_err("pool: eventfd write: %m");
}

static void *worker(void *arg)
{
	struct ivd_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct ivd_job *job;

		while (!p->todo && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if (!p->todo)
			break;
		job = p->todo;
		p->todo = job->next;
		if (!p->todo)
			p->todo_tail = &p->todo;
		pthread_mutex_unlock(&p->lock);
		job->run(job);
		pthread_mutex_lock(&p->lock);
		finish(p, job);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int ivd_pool_init(struct ivd_pool *p, unsigned int nthreads)
{
	unsigned int i;
	int err;

	if (nthreads > IVD_POOL_MAX_THREADS)
		nthreads = IVD_POOL_MAX_THREADS;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->idle, NULL);
	p->todo = NULL;
	p->todo_tail = &p->todo;
	p->done = NULL;
	p->done_tail = &p->done;
	p->pending = 0;
	p->stop = false;
	p->nthreads = 0;
	p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->efd < 0)
		return -errno;
	for (i = 0; i < nthreads; i++) {
		err = pthread_create(&p->threads[i], NULL, worker, p);
		if (err) {
			ivd_pool_destroy(p);
			return -err;
		}
		p->nthreads++;
	}
	return 0;
}

void ivd_pool_destroy(struct ivd_pool *p)
{
	unsigned int i;

	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	p->nthreads = 0;
	if (p->efd >= 0)
		close(p->efd);
	p->efd = -1;
	pthread_cond_destroy(&p->idle);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
}

void ivd_pool_submit(struct ivd_pool *p, struct ivd_job *job)
{
	job->next = NULL;
	if (!p->nthreads) {
		job->run(job);
		pthread_mutex_lock(&p->lock);
		p->pending++;
		finish(p, job);
		pthread_mutex_unlock(&p->lock);
		return;
	}
	pthread_mutex_lock(&p->lock);
	p->pending++;
	*p->todo_tail = job;
	p->todo_tail = &job->next;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

struct ivd_job *ivd_pool_take_done(struct ivd_pool *p)
{
	struct ivd_job *list;
	uint64_t v;

	pthread_mutex_lock(&p->lock);
	list = p->done;
	p->done = NULL;
	p->done_tail = &p->done;
	if (read(p->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		ivd_err("pool: eventfd read: %m");
	pthread_mutex_unlock(&p->lock);
	return list;
}

void ivd_pool_wait_idle(struct ivd_pool *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->pending)
		pthread_cond_wait(&p->idle, &p->lock);
	pthread_mutex_unlock(&p->lock);
}
