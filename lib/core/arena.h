/*
 * arena.h - many small allocations that live and die together.
 *
 * mkiso keeps a node, a name and two identifiers for each of tens of
 * thousands of files; one malloc(3) each costs a 16-byte header and a
 * 32-byte minimum, more than a short name itself.  An arena hands out
 * pieces of 64 KiB chunks and frees them all at once.
 */
#ifndef OI_ARENA_H
#define OI_ARENA_H

#include <stddef.h>

struct oi_arena_chunk;

struct oi_arena {
	struct oi_arena_chunk	*head;	/* newest chunk, the one used */
	size_t			 used, cap;	/* of head's data */
};

/* Zeroed, 8-byte aligned memory, or NULL when out of memory. */
void *oi_arena_alloc(struct oi_arena *a, size_t size);
/* A copy of len bytes of s with a terminating NUL. */
char *oi_arena_strndup(struct oi_arena *a, const char *s, size_t len);
char *oi_arena_strdup(struct oi_arena *a, const char *s);
/* Frees every piece; the arena can be used again. */
void oi_arena_release(struct oi_arena *a);

#endif
