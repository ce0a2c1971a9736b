/*
 * fuzz_chd.c - libFuzzer target for the CHD reader: header, hunk map
 * (Huffman tree, RLE, CRC), metadata chain, CD track metadata, every
 * codec's decoder on the first hunks, and the image layer over it (our
 * lossless tag included).  A parent is never found: the CHD is named
 * /proc/self/fd/N and its parent a file that does not exist.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "chd.h"
#include "fuzz.h"
#include "fuzz_read.h"

#define MAX_HUNKS	(1u << 20)	/* decoded maps up to 12 MiB */
#define MAX_HUNK_BYTES	(1u << 20)
#define READ_HUNKS	64

/* Headers that ask for huge maps or hunks only make slow inputs. */
static bool
worth_opening(const uint8_t *data, size_t size)
{
	struct oi_chd h = { .st.fd = -1 };
	struct optimg_error err;

	if (oi_chd_parse_header(&h, data, size, &err) < 0)
		return false;
	return h.hunk_count <= MAX_HUNKS && h.hunk_bytes <= MAX_HUNK_BYTES;
}

static void
read_chd(const char *path)
{
	struct oi_chd *chd;
	struct optimg_error err;
	struct chd_cd cd;
	uint8_t *buf;

	if (oi_chd_open(path, "/nonexistent/parent.chd", &chd, &err) < 0)
		return;
	buf = malloc(chd->hunk_bytes);
	for (uint32_t h = 0; buf != NULL && h < chd->hunk_count &&
	    h < READ_HUNKS; h++)
		(void)oi_chd_read_hunk(chd, h, buf);
	if (buf != NULL && chd->hunk_count > 0)
		(void)oi_chd_read_hunk(chd, chd->hunk_count - 1, buf);
	free(buf);
	if (oi_chd_cd_parse(chd, &cd, &err) == 0)
		oi_chd_cd_release(&cd);
	oi_chd_close(chd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oi_probe pr = { data, size, data, size, size, "fuzz.chd" };
	struct optimg_image *img;
	char path[64];
	int fd;

	if (oi_format_chd.probe(&pr) == 0 || !worth_opening(data, size))
		return 0;
	fd = memfd_create("fuzz_chd", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	read_chd(path);
	img = optimg_image_new();
	if (img != NULL) {
		(void)optimg_image_set_parent(img, "/nonexistent/parent.chd");
		img->format = &oi_format_chd;
		if (oi_format_chd.open(img, path) == 0)
			fuzz_read_fragments(img);
		optimg_image_free(img);
	}
	close(fd);
	return 0;
}
