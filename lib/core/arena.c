/*
 * arena.c - bump allocation in chunks (see arena.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define CHUNK_DATA	(64u << 10)
#define ALIGN		8u

struct oi_arena_chunk {
	struct oi_arena_chunk	*next;
	max_align_t		 data[];
};

void *
oi_arena_alloc(struct oi_arena *a, size_t size)
{
	struct oi_arena_chunk *c;
	size_t cap;
	void *p;

	size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (size == 0)
		size = ALIGN;
	if (a->head != NULL && a->cap - a->used >= size) {
		p = (char *)a->head->data + a->used;
		a->used += size;
		return p;
	}
	if (size > SIZE_MAX - sizeof(*c))
		return NULL;
	/* A piece that does not fit and is bigger than a quarter chunk
	 * gets one of its own, behind the current one, whose free space
	 * stays for the small pieces that follow. */
	if (size > CHUNK_DATA / 4 && a->head != NULL) {
		if ((c = calloc(1, sizeof(*c) + size)) == NULL)
			return NULL;
		c->next = a->head->next;
		a->head->next = c;
		return c->data;
	}
	cap = size > CHUNK_DATA ? size : CHUNK_DATA;
	if ((c = calloc(1, sizeof(*c) + cap)) == NULL)
		return NULL;
	c->next = a->head;
	a->head = c;
	a->cap = cap;
	a->used = size;
	return c->data;
}

char *
oi_arena_strndup(struct oi_arena *a, const char *s, size_t len)
{
	char *p = oi_arena_alloc(a, len + 1);

	if (p != NULL)
		memcpy(p, s, len);	/* the NUL is there: zeroed */
	return p;
}

char *
oi_arena_strdup(struct oi_arena *a, const char *s)
{
	return oi_arena_strndup(a, s, strlen(s));
}

void
oi_arena_release(struct oi_arena *a)
{
	struct oi_arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->used = a->cap = 0;
}
