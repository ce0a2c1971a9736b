/*
 * chd_huff.c - MSB-first bit streams and the canonical Huffman coder of
 * CHD v5 (MAME huffman.cpp's format): the compressed map and the "huff"
 * codec use it.
 *
 * Codes are canonical with the longest codes numbered first: for each
 * length from 32 down to 1 the first code is half of (previous first +
 * count of the previous length).  Trees travel as code lengths, either
 * run-length coded in 3, 4 or 5 bits a length (maxbits < 8, < 16, else),
 * with 1 as the escape: "1 1" is a length of 1, "1 L n" is n + 3 lengths
 * L; or, for the huff codec, as lengths coded by a small 24-symbol tree.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "chd.h"

void
chd_bits_init(struct chd_bits *b, const void *data, size_t len)
{
	memset(b, 0, sizeof(*b));
	b->data = data;
	b->len = len;
}

static uint32_t
peek(struct chd_bits *b, int n)
{
	if (n == 0)
		return 0;
	while (b->nbits <= 24) {
		if (b->pos < b->len)
			b->buf |= (uint32_t)b->data[b->pos] << (24 - b->nbits);
		b->pos++;
		b->nbits += 8;
	}
	return b->buf >> (32 - n);
}

uint32_t
chd_bits_read(struct chd_bits *b, int n)
{
	uint32_t v;

	if (n > 24) {
		v = chd_bits_read(b, n - 16) << 16;
		return v | chd_bits_read(b, 16);
	}
	v = peek(b, n);

	b->buf <<= n;
	b->nbits -= n;
	return v;
}

bool
chd_bits_overflow(const struct chd_bits *b)
{
	return b->pos - (size_t)(b->nbits / 8) > b->len;
}

size_t
chd_bits_used(const struct chd_bits *b)
{
	return b->pos - (size_t)(b->nbits / 8);
}

void
chd_bitw_init(struct chd_bitw *w, void *data, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->data = data;
	w->cap = cap;
}

void
chd_bitw_put(struct chd_bitw *w, uint32_t v, int n)
{
	if (n == 0)
		return;
	if (n > 24) {
		chd_bitw_put(w, v >> 16, n - 16);
		chd_bitw_put(w, v & 0xffff, 16);
		return;
	}
	v &= (n == 32) ? 0xffffffffu : ((1u << n) - 1);
	w->acc = (w->acc << n) | v;
	w->nbits += n;
	while (w->nbits >= 8) {
		w->nbits -= 8;
		if (w->len < w->cap)
			w->data[w->len++] = (uint8_t)(w->acc >> w->nbits);
		else
			w->full = true;
	}
}

size_t
chd_bitw_flush(struct chd_bitw *w)
{
	if (w->nbits > 0)
		chd_bitw_put(w, 0, 8 - w->nbits);
	return w->len;
}

/* ---- Huffman ---------------------------------------------------------- */

int
chd_huff_init(struct chd_huff *h, unsigned ncodes, unsigned maxbits)
{
	memset(h, 0, sizeof(*h));
	if (ncodes > 256 || maxbits > 16 || maxbits == 0)
		return -1;
	h->ncodes = ncodes;
	h->maxbits = maxbits;
	h->lookup = calloc((size_t)1 << maxbits, sizeof(*h->lookup));
	return h->lookup == NULL ? -1 : 0;
}

void
chd_huff_release(struct chd_huff *h)
{
	free(h->lookup);
	h->lookup = NULL;
}

/* Canonical codes from lengths; -1 when the lengths make no full tree. */
static int
assign_codes(struct chd_huff *h)
{
	uint32_t histo[33] = { 0 }, start = 0;

	for (unsigned i = 0; i < h->ncodes; i++) {
		if (h->len[i] > h->maxbits)
			return -1;
		histo[h->len[i]]++;
	}
	for (int l = 32; l > 0; l--) {
		uint32_t next = (start + histo[l]) >> 1;
		if (l != 1 && next * 2 != start + histo[l])
			return -1;
		histo[l] = start;
		start = next;
	}
	for (unsigned i = 0; i < h->ncodes; i++)
		if (h->len[i] > 0)
			h->code[i] = histo[h->len[i]]++;
	return 0;
}

static int
build_lookup(struct chd_huff *h)
{
	size_t size = (size_t)1 << h->maxbits;

	memset(h->lookup, 0, size * sizeof(*h->lookup));
	for (unsigned i = 0; i < h->ncodes; i++) {
		unsigned l = h->len[i];
		if (l == 0)
			continue;
		unsigned shift = h->maxbits - l;
		size_t first = (size_t)h->code[i] << shift;
		size_t last = (((size_t)h->code[i] + 1) << shift) - 1;
		if (last >= size || last < first)
			return -1;
		for (size_t j = first; j <= last; j++)
			h->lookup[j] = (uint16_t)(i << 5 | l);
	}
	return 0;
}

static int
finish_import(struct chd_huff *h, struct chd_bits *b)
{
	if (assign_codes(h) < 0 || build_lookup(h) < 0)
		return -1;
	return chd_bits_overflow(b) ? -1 : 0;
}

int
chd_huff_import_rle(struct chd_huff *h, struct chd_bits *b)
{
	int nb = h->maxbits >= 16 ? 5 : h->maxbits >= 8 ? 4 : 3;
	unsigned cur = 0;

	while (cur < h->ncodes) {
		uint32_t v = chd_bits_read(b, nb);
		if (v != 1) {
			h->len[cur++] = (uint8_t)v;
			continue;
		}
		v = chd_bits_read(b, nb);
		if (v == 1) {
			h->len[cur++] = 1;
			continue;
		}
		uint32_t rep = chd_bits_read(b, nb) + 3;
		if (rep > h->ncodes - cur)
			return -1;
		while (rep-- > 0)
			h->len[cur++] = (uint8_t)v;
		if (chd_bits_overflow(b))
			return -1;
	}
	return finish_import(h, b);
}

int
chd_huff_import_huff(struct chd_huff *h, struct chd_bits *b)
{
	struct chd_huff small;
	unsigned start, count = 0, last = 0, cur = 0, fullbits = 0;
	int rc = -1;

	if (chd_huff_init(&small, 24, 6) < 0)
		return -1;
	small.len[0] = (uint8_t)chd_bits_read(b, 3);
	start = chd_bits_read(b, 3) + 1;
	for (unsigned i = 1; i < 24; i++) {
		if (i < start || count == 7)
			small.len[i] = 0;
		else {
			count = chd_bits_read(b, 3);
			small.len[i] = count == 7 ? 0 : (uint8_t)count;
		}
	}
	if (assign_codes(&small) < 0 || build_lookup(&small) < 0)
		goto out;
	for (unsigned t = h->ncodes - 9; t != 0; t >>= 1)
		fullbits++;
	while (cur < h->ncodes) {
		unsigned v = chd_huff_decode(&small, b);
		if (v != 0) {
			h->len[cur++] = (uint8_t)(last = v - 1);
			continue;
		}
		unsigned n = chd_bits_read(b, 3) + 2;
		if (n == 7 + 2)
			n += chd_bits_read(b, (int)fullbits);
		for (; n != 0 && cur < h->ncodes; n--)
			h->len[cur++] = (uint8_t)last;
		if (chd_bits_overflow(b))
			goto out;
	}
	rc = finish_import(h, b);
out:
	chd_huff_release(&small);
	return rc;
}

unsigned
chd_huff_decode(const struct chd_huff *h, struct chd_bits *b)
{
	uint16_t e = h->lookup[peek(b, (int)h->maxbits)];
	unsigned l = e & 0x1f;

	/* An unused slot (0) would never advance: take maxbits instead. */
	(void)chd_bits_read(b, l != 0 ? (int)l : (int)h->maxbits);
	return e >> 5;
}

/* ---- encoder ---------------------------------------------------------- */

/*
 * Code lengths of a Huffman tree over weights w (0: unused); returns the
 * longest.  Plain O(n^2) merging: alphabets here have at most 256 symbols.
 */
static unsigned
tree_lengths(const uint64_t *w, unsigned n, uint8_t *len)
{
	uint64_t weight[512];
	int parent[512];
	bool live[512];
	unsigned nodes = n, maxl = 0, used = 0;

	for (unsigned i = 0; i < n; i++) {
		weight[i] = w[i];
		live[i] = w[i] > 0;
		parent[i] = -1;
		used += live[i];
	}
	while (used > 1) {
		int a = -1, b = -1;
		for (unsigned i = 0; i < nodes; i++) {
			if (!live[i])
				continue;
			if (a < 0 || weight[i] < weight[a]) {
				b = a;
				a = (int)i;
			} else if (b < 0 || weight[i] < weight[b])
				b = (int)i;
		}
		weight[nodes] = weight[a] + weight[b];
		live[nodes] = true;
		parent[nodes] = -1;
		live[a] = live[b] = false;
		parent[a] = parent[b] = (int)nodes++;
		used--;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned l = 0;
		for (int p = parent[i]; p >= 0; p = parent[p])
			l++;
		len[i] = (uint8_t)(w[i] == 0 ? 0 : l == 0 ? 1 : l);
		maxl = OI_MAX(maxl, len[i]);
	}
	return maxl;
}

int
chd_huff_build(struct chd_huff *h, const uint32_t *counts)
{
	uint64_t total = 0, lo = 0, hi, w[256];

	for (unsigned i = 0; i < h->ncodes; i++)
		total += counts[i];
	if (total == 0)
		total = 1;
	/* Flatten the weights until the tree fits maxbits (as MAME does). */
	hi = total * 2;
	for (;;) {
		uint64_t cur = (hi + lo) / 2;
		for (unsigned i = 0; i < h->ncodes; i++) {
			w[i] = counts[i] == 0 ? 0 : counts[i] * cur / total;
			if (counts[i] != 0 && w[i] == 0)
				w[i] = 1;
		}
		if (tree_lengths(w, h->ncodes, h->len) <= h->maxbits) {
			lo = cur;
			if (cur == total || hi - lo <= 1)
				break;
		} else
			hi = cur;
		if (hi <= 1)
			return -1;
	}
	for (unsigned i = 0; i < h->ncodes; i++)
		w[i] = counts[i] == 0 ? 0 : OI_MAX(1, counts[i] * lo / total);
	tree_lengths(w, h->ncodes, h->len);
	if (assign_codes(h) < 0)
		return -1;
	return build_lookup(h);
}

void
chd_huff_export_rle(const struct chd_huff *h, struct chd_bitw *w)
{
	int nb = h->maxbits >= 16 ? 5 : h->maxbits >= 8 ? 4 : 3;
	unsigned maxrep = (1u << nb) - 1 + 3;

	for (unsigned i = 0; i < h->ncodes;) {
		unsigned l = h->len[i], rep = 1;
		while (i + rep < h->ncodes && h->len[i + rep] == l &&
		    rep < maxrep)
			rep++;
		if (l == 1) {
			chd_bitw_put(w, 1, nb);
			chd_bitw_put(w, 1, nb);
			i++;
		} else if (rep >= 3) {
			chd_bitw_put(w, 1, nb);
			chd_bitw_put(w, l, nb);
			chd_bitw_put(w, rep - 3, nb);
			i += rep;
		} else {
			chd_bitw_put(w, l, nb);
			i++;
		}
	}
}

void
chd_huff_encode(const struct chd_huff *h, struct chd_bitw *w, unsigned sym)
{
	chd_bitw_put(w, h->code[sym], h->len[sym]);
}

/* ---- CRC-16 ----------------------------------------------------------- */

/*
 * Eight tables (crc_table[k][b]: byte b followed by k zero bytes), so a
 * loop step takes 8 bytes: every hunk read is checked, and byte at a time
 * the check cost a sixth of a CHD -> BIN/CUE conversion.
 */
static uint16_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void
crc_init(void)
{
	for (unsigned i = 0; i < 256; i++) {
		uint16_t c = (uint16_t)(i << 8);
		for (int k = 0; k < 8; k++)
			c = (uint16_t)(c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1);
		crc_table[0][i] = c;
	}
	for (unsigned k = 1; k < 8; k++)
		for (unsigned i = 0; i < 256; i++) {
			uint16_t c = crc_table[k - 1][i];
			crc_table[k][i] = (uint16_t)((c << 8) ^
			    crc_table[0][c >> 8]);
		}
}

uint16_t
chd_crc16(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint16_t crc = 0xffff;

	pthread_once(&crc_once, crc_init);
	for (; len >= 8; len -= 8, p += 8)
		crc = (uint16_t)(crc_table[7][p[0] ^ (crc >> 8)] ^
		    crc_table[6][p[1] ^ (crc & 0xff)] ^ crc_table[5][p[2]] ^
		    crc_table[4][p[3]] ^ crc_table[3][p[4]] ^
		    crc_table[2][p[5]] ^ crc_table[1][p[6]] ^
		    crc_table[0][p[7]]);
	while (len-- > 0)
		crc = (uint16_t)((crc << 8) ^ crc_table[0][(crc >> 8) ^ *p++]);
	return crc;
}
