/*
 * chd_info.c - a CHD as a container: what optimg info shows of it (codec
 * mix, ratio, hunk size, parent) and optimg verify's check of its own
 * SHA-1s (the data's, and the one over data and checksummed metadata).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "chd.h"
#include "unpack.h"

#define VERIFY_CHUNK (1u << 20)

static void
hex(const uint8_t *p, char *out)
{
	static const uint8_t zero[CHD_SHA1_SIZE];

	out[0] = '\0';
	if (memcmp(p, zero, CHD_SHA1_SIZE) == 0)
		return;
	for (int i = 0; i < CHD_SHA1_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void
add_mix(struct optimg_container *c, const char *name, uint32_t n)
{
	if (n == 0 || c->nmix >= OPTIMG_CONTAINER_MIX)
		return;
	snprintf(c->mix[c->nmix].name, sizeof(c->mix[0].name), "%s", name);
	c->mix[c->nmix++].hunks = n;
}

int
optimg_image_container(struct optimg_image *img, struct optimg_container *c)
{
	struct oi_chd *chd = oi_chd_of_image(img);
	uint32_t counts[7];
	char tag[5];

	memset(c, 0, sizeof(*c));
	if (chd == NULL)
		return oi_unpack_container(img, c);
	c->kind = "chd";
	c->units = "hunks";
	c->files = 1;
	c->version = chd->version;
	c->logical_bytes = chd->logical_bytes;
	c->stored_bytes = chd->st.size;
	c->hunk_bytes = chd->hunk_bytes;
	c->unit_bytes = chd->unit_bytes;
	c->hunk_count = chd->hunk_count;
	oi_chd_hunk_stats(chd, counts);
	for (int i = 0; i < 4; i++)
		if (chd->codecs[i] != CHD_CODEC_NONE) {
			chd_codec_name(chd->codecs[i], tag);
			add_mix(c, tag, counts[i]);
		}
	add_mix(c, "none", counts[CHD_MAP_NONE]);
	add_mix(c, "self", counts[CHD_MAP_SELF]);
	add_mix(c, "parent", counts[CHD_MAP_PARENT]);
	hex(chd->sha1, c->sha1);
	hex(chd->raw_sha1, c->raw_sha1);
	hex(chd->parent_sha1, c->parent_sha1);
	c->parent_path = chd->parent != NULL ? chd->parent->st.path : NULL;
	return OPTIMG_OK;
}

int
optimg_image_verify_container(struct optimg_image *img,
    optimg_progress_fn progress, void *ctx, struct optimg_error *err)
{
	struct oi_chd *chd = oi_chd_of_image(img);
	uint8_t raw[CHD_SHA1_SIZE], all[CHD_SHA1_SIZE], *buf;
	char want[41], got[41];
	EVP_MD_CTX *md;
	unsigned olen;
	int rc = OPTIMG_OK;

	oi_error_clear(err);
	if (chd == NULL)
		return oi_set_error(err, OPTIMG_EUNSUPP,
		    "the image is no container with checksums of its own");
	md = EVP_MD_CTX_new();
	buf = malloc(VERIFY_CHUNK);
	if (md == NULL || buf == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha1(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		free(buf);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	for (uint64_t off = 0; off < chd->logical_bytes && rc == 0;) {
		size_t n = (size_t)OI_MIN((uint64_t)VERIFY_CHUNK,
		    chd->logical_bytes - off);
		if (oi_chd_read(chd, off, buf, n) < 0) {
			*err = chd->err;
			rc = err->code;
			break;
		}
		EVP_DigestUpdate(md, buf, n);
		off += n;
		if (progress != NULL && progress(ctx, off, chd->logical_bytes))
			rc = oi_set_error(err, OPTIMG_ECANCELED, "interrupted");
	}
	EVP_DigestFinal_ex(md, raw, &olen);
	EVP_MD_CTX_free(md);
	free(buf);
	if (rc < 0)
		return rc;
	oi_chd_overall_sha1(chd->meta, chd->nmeta, raw, all);
	if (memcmp(raw, chd->raw_sha1, CHD_SHA1_SIZE) != 0) {
		hex(raw, got);
		hex(chd->raw_sha1, want);
		return oi_set_error(err, OPTIMG_EFORMAT, "'%s': the data's "
		    "SHA-1 is %s, the header says %s", img->path, got, want);
	}
	if (memcmp(all, chd->sha1, CHD_SHA1_SIZE) != 0) {
		hex(all, got);
		hex(chd->sha1, want);
		return oi_set_error(err, OPTIMG_EFORMAT, "'%s': the SHA-1 over "
		    "data and metadata is %s, the header says %s", img->path,
		    got, want);
	}
	return OPTIMG_OK;
}
