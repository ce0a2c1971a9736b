/*
 * hash.c - CRC32, MD5 and SHA-1 of a byte stream in one pass: the three
 * hashes Redump DATs give for every file.  CRC32 is zlib's (the
 * ISO 3309 / PKZIP polynomial); MD5 and SHA-1 come from libcrypto's EVP.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "rip.h"

#define FILE_CHUNK (1u << 20)

int
oi_hash_init(struct oi_hash *h, struct optimg_error *err)
{
	EVP_MD_CTX *md5 = EVP_MD_CTX_new(), *sha1 = EVP_MD_CTX_new();

	h->size = 0;
	h->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	h->md5 = md5;
	h->sha1 = sha1;
	if (md5 == NULL || sha1 == NULL ||
	    EVP_DigestInit_ex(md5, EVP_md5(), NULL) != 1 ||
	    EVP_DigestInit_ex(sha1, EVP_sha1(), NULL) != 1) {
		oi_hash_release(h);
		return oi_set_error(err, OPTIMG_EUNSUPP,
		    "libcrypto cannot compute MD5 and SHA-1");
	}
	return OPTIMG_OK;
}

void
oi_hash_update(struct oi_hash *h, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	h->size += len;
	EVP_DigestUpdate(h->md5, buf, len);
	EVP_DigestUpdate(h->sha1, buf, len);
	while (len > 0) {
		uInt n = len > (1u << 30) ? 1u << 30 : (uInt)len;
		h->crc = (uint32_t)crc32(h->crc, p, n);
		p += n;
		len -= n;
	}
}

void
oi_hash_final(struct oi_hash *h, struct optimg_hashes *out)
{
	unsigned n;

	out->size = h->size;
	out->crc32 = h->crc;
	EVP_DigestFinal_ex(h->md5, out->md5, &n);
	EVP_DigestFinal_ex(h->sha1, out->sha1, &n);
	oi_hash_release(h);
}

void
oi_hash_release(struct oi_hash *h)
{
	EVP_MD_CTX_free(h->md5);
	EVP_MD_CTX_free(h->sha1);
	h->md5 = h->sha1 = NULL;
}

/* progress (may be NULL) gets the bytes hashed of the file's size. */
int
oi_hash_file(const char *path, struct optimg_hashes *out,
    optimg_progress_fn progress, void *ctx, struct optimg_error *err)
{
	struct oi_hash h;
	struct stat st;
	uint8_t *buf = malloc(FILE_CHUNK);
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = OPTIMG_OK;
	uint64_t done = 0, total = 0;

	if (fd < 0 || buf == NULL) {
		rc = buf == NULL ? oi_set_error(err, OPTIMG_ENOMEM,
		    "out of memory") : oi_set_errno(err, OPTIMG_EIO,
		    "cannot open '%s'", path);
		goto out;
	}
	if (fstat(fd, &st) == 0 && st.st_size > 0)
		total = (uint64_t)st.st_size;
	if ((rc = oi_hash_init(&h, err)) < 0)
		goto out;
	for (;;) {
		ssize_t n = read(fd, buf, FILE_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = oi_set_errno(err, OPTIMG_EIO, "cannot read '%s'",
			    path);
			oi_hash_release(&h);
			goto out;
		}
		if (n == 0)
			break;
		oi_hash_update(&h, buf, (size_t)n);
		done += (uint64_t)n;
		if (progress != NULL && progress(ctx, done, total) != 0) {
			rc = oi_set_error(err, OPTIMG_ECANCELED, "interrupted");
			oi_hash_release(&h);
			goto out;
		}
	}
	oi_hash_final(&h, out);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

static void
hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void
optimg_hashes_hex(const struct optimg_hashes *h, char crc[9], char md5[33],
    char sha1[41])
{
	uint8_t be[4] = { h->crc32 >> 24, h->crc32 >> 16 & 0xff,
	    h->crc32 >> 8 & 0xff, h->crc32 & 0xff };

	if (crc != NULL)
		hex(be, 4, crc);
	if (md5 != NULL)
		hex(h->md5, 16, md5);
	if (sha1 != NULL)
		hex(h->sha1, 20, sha1);
}
