/*
 * chd_file.c - reading a CHD v5: header, hunk map, metadata chain, hunks.
 *
 * Header (124 bytes, big-endian; MAME chd.h):
 *     0  "MComprHD"          8  header length (124)   12  version (5)
 *    16  codecs[4]          32  logical bytes         40  map offset
 *    48  metadata offset    56  hunk bytes            60  unit bytes
 *    64  raw SHA-1          84  SHA-1 (raw + metadata)
 *   104  parent SHA-1 (zeros: no parent)
 * Uncompressed CHDs (codecs[0] == 0) have a map of 4-byte hunk numbers
 * (0: zeros, or the parent's hunk).  Compressed ones have a 16-byte map
 * header (compressed length, first hunk's offset (48 bits), CRC-16 of the
 * decoded map, bits of lengths, self and parent references) and a bit
 * stream: a Huffman tree (16 codes, 8 bits at most, run-length coded), a
 * type per hunk with runs folded in (RLE_SMALL n: 2 + n more of the last
 * type; RLE_LARGE h l: 18 + 16h + l more), then per hunk its length and
 * CRC, or its reference.  Compressed hunks follow each other in the file
 * from the first offset on.  Metadata entries: tag, flags << 24 | length,
 * next offset (0 ends), data.
 *
 * Everything here is hostile input: offsets and lengths are checked
 * against the file, self references must point backwards and are followed
 * without recursion, the metadata chain and parent chain are bounded.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "chd.h"

#define MAP_ZERO	15	/* uncompressed map: zeros or the parent's */
#define CACHE_HUNKS	8
#define MAX_META	65536
#define MAX_PARENTS	8

struct chd_hunk_cache {
	pthread_mutex_t	 lock;
	uint32_t	 hunk[CACHE_HUNKS];
	uint64_t	 used[CACHE_HUNKS];	/* 0: empty */
	uint64_t	 clock;
	uint32_t	 last_miss;
	uint8_t		*data;
};

static uint64_t
be48(const uint8_t *p)
{
	return (uint64_t)oi_be16dec(p) << 32 | oi_be32dec(p + 2);
}

static uint64_t
be64(const uint8_t *p)
{
	return (uint64_t)oi_be32dec(p) << 32 | oi_be32dec(p + 4);
}

static const char *
name_of(const struct oi_chd *chd)
{
	return chd->st.path != NULL ? chd->st.path : "CHD";
}

int
oi_chd_parse_header(struct oi_chd *chd, const uint8_t *h, size_t len,
    struct optimg_error *err)
{
	static const uint8_t zero[CHD_SHA1_SIZE];
	const char *n = name_of(chd);
	uint64_t hunks;

	if (len < 16 || memcmp(h, CHD_MAGIC, 8) != 0)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s': not a CHD (no MComprHD signature)", n);
	chd->version = oi_be32dec(h + 12);
	if (chd->version != 5)
		return oi_set_error(err, OPTIMG_EUNSUPP,
		    "'%s': CHD version %u; optimg reads version 5 (convert it "
		    "with a newer chdman copy)", n, chd->version);
	if (oi_be32dec(h + 8) != CHD_V5_HEADER_SIZE || len < CHD_V5_HEADER_SIZE)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s': header: length %u, not 124", n, oi_be32dec(h + 8));
	for (int i = 0; i < 4; i++)
		chd->codecs[i] = oi_be32dec(h + 16 + 4 * i);
	chd->logical_bytes = be64(h + 32);
	chd->map_offset = be64(h + 40);
	chd->meta_offset = be64(h + 48);
	chd->hunk_bytes = oi_be32dec(h + 56);
	chd->unit_bytes = oi_be32dec(h + 60);
	memcpy(chd->raw_sha1, h + 64, CHD_SHA1_SIZE);
	memcpy(chd->sha1, h + 84, CHD_SHA1_SIZE);
	memcpy(chd->parent_sha1, h + 104, CHD_SHA1_SIZE);
	chd->compressed = chd->codecs[0] != CHD_CODEC_NONE;
	chd->has_parent = memcmp(chd->parent_sha1, zero, CHD_SHA1_SIZE) != 0;
	if (chd->hunk_bytes == 0 || chd->hunk_bytes > CHD_MAX_HUNK ||
	    chd->unit_bytes == 0 || chd->hunk_bytes % chd->unit_bytes != 0)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s': header: hunk of %u bytes with units of %u", n,
		    chd->hunk_bytes, chd->unit_bytes);
	hunks = (chd->logical_bytes + chd->hunk_bytes - 1) / chd->hunk_bytes;
	if (hunks > UINT32_MAX / 16)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s': header: %llu logical bytes is too many hunks", n,
		    (unsigned long long)chd->logical_bytes);
	chd->hunk_count = (uint32_t)hunks;
	for (int i = 0; i < 4; i++) {
		char tag[5];
		if (chd->codecs[i] == CHD_CODEC_NONE)
			continue;
		if (!chd_codec_known(chd->codecs[i])) {
			chd_codec_name(chd->codecs[i], tag);
			return oi_set_error(err, OPTIMG_EUNSUPP,
			    "'%s': header: unknown codec '%s'", n, tag);
		}
	}
	return OPTIMG_OK;
}

/* ---- the map ---------------------------------------------------------- */

static void
put_entry(uint8_t *e, unsigned type, uint32_t length, uint64_t offset,
    uint16_t crc)
{
	e[0] = (uint8_t)type;
	e[1] = (uint8_t)(length >> 16);
	e[2] = (uint8_t)(length >> 8);
	e[3] = (uint8_t)length;
	for (int i = 0; i < 6; i++)
		e[4 + i] = (uint8_t)(offset >> (40 - 8 * i));
	e[10] = (uint8_t)(crc >> 8);
	e[11] = (uint8_t)crc;
}

static int
decode_types(struct oi_chd *chd, struct chd_bits *b, struct chd_huff *h)
{
	unsigned last = 0, rep = 0;

	for (uint32_t i = 0; i < chd->hunk_count; i++) {
		uint8_t *e = chd->map + (size_t)i * 12;
		if (rep > 0) {
			e[0] = (uint8_t)last;
			rep--;
			continue;
		}
		if (chd_bits_overflow(b))
			return -1;
		unsigned v = chd_huff_decode(h, b);
		if (v == CHD_MAP_RLE_SMALL) {
			rep = 2 + chd_huff_decode(h, b);
			e[0] = (uint8_t)last;
		} else if (v == CHD_MAP_RLE_LARGE) {
			rep = 2 + 16 + (chd_huff_decode(h, b) << 4);
			rep += chd_huff_decode(h, b);
			e[0] = (uint8_t)last;
		} else
			e[0] = (uint8_t)(last = v);
	}
	return 0;
}

static int
decode_fields(struct oi_chd *chd, struct chd_bits *b, const uint8_t *mh)
{
	uint64_t cur = be48(mh + 4), last_self = 0, last_parent = 0;
	int lbits = mh[12], sbits = mh[13], pbits = mh[14];
	uint64_t units = chd->hunk_bytes / chd->unit_bytes;

	if (lbits > 24 || sbits > 32 || pbits > 32)
		return -1;
	for (uint32_t i = 0; i < chd->hunk_count; i++) {
		uint8_t *e = chd->map + (size_t)i * 12;
		uint64_t off = cur;
		uint32_t len = 0;
		uint16_t crc = 0;
		unsigned t = e[0];
		switch (t) {
		case 0: case 1: case 2: case 3:
			cur += len = chd_bits_read(b, lbits);
			crc = (uint16_t)chd_bits_read(b, 16);
			break;
		case CHD_MAP_NONE:
			cur += len = chd->hunk_bytes;
			crc = (uint16_t)chd_bits_read(b, 16);
			break;
		case CHD_MAP_SELF:
			last_self = off = chd_bits_read(b, sbits);
			break;
		case CHD_MAP_PARENT:
			last_parent = off = chd_bits_read(b, pbits);
			break;
		case CHD_MAP_SELF_1:
			last_self++;
			/* FALLTHROUGH */
		case CHD_MAP_SELF_0:
			t = CHD_MAP_SELF;
			off = last_self;
			break;
		case CHD_MAP_PARENT_SELF:
			t = CHD_MAP_PARENT;
			last_parent = off = (uint64_t)i * units;
			break;
		case CHD_MAP_PARENT_1:
			last_parent += units;
			/* FALLTHROUGH */
		case CHD_MAP_PARENT_0:
			t = CHD_MAP_PARENT;
			off = last_parent;
			break;
		default:
			return -1;
		}
		put_entry(e, t, len, off & 0xffffffffffffull, crc);
	}
	return chd_bits_overflow(b) ? -1 : 0;
}

int
oi_chd_decode_map(struct oi_chd *chd, const uint8_t *buf, size_t len,
    uint64_t file_size, struct optimg_error *err)
{
	struct chd_huff h;
	struct chd_bits b;
	int rc;

	(void)file_size;
	if (len < 16)
		return oi_set_error(err, OPTIMG_EFORMAT, "'%s': map: cut short",
		    name_of(chd));
	/* Each type symbol takes a bit or more and stands for at most 274
	   hunks; a map claiming more hunks than that is not one. */
	if ((uint64_t)chd->hunk_count > ((uint64_t)len * 8 + 8) * 274)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s': map: %u hunks cannot fit in %zu bytes",
		    name_of(chd), chd->hunk_count, len);
	free(chd->map);
	chd->map = calloc((size_t)chd->hunk_count + 1, 12);
	if (chd->map == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	if (chd_huff_init(&h, 16, 8) < 0)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	chd_bits_init(&b, buf + 16, len - 16);
	rc = chd_huff_import_rle(&h, &b);
	if (rc == 0)
		rc = decode_types(chd, &b, &h);
	chd_huff_release(&h);
	if (rc == 0)
		rc = decode_fields(chd, &b, buf);
	if (rc < 0)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s': map: the coded hunk map is damaged", name_of(chd));
	if (chd_crc16(chd->map, (size_t)chd->hunk_count * 12) !=
	    oi_be16dec(buf + 10))
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s': map: CRC does not match", name_of(chd));
	return OPTIMG_OK;
}

static int
read_map(struct oi_chd *chd, struct optimg_error *err)
{
	uint64_t fsize = chd->st.size, n;
	uint8_t head[16], *buf;
	int rc;

	if (!chd->compressed) {
		n = (uint64_t)chd->hunk_count * 4;
		if (chd->map_offset > fsize || n > fsize - chd->map_offset)
			return oi_set_error(err, OPTIMG_EFORMAT,
			    "'%s': map: past the end of the file",
			    name_of(chd));
		buf = malloc(n + 1);
		chd->map = calloc((size_t)chd->hunk_count + 1, 12);
		if (buf == NULL || chd->map == NULL) {
			free(buf);
			return oi_set_error(err, OPTIMG_ENOMEM,
			    "out of memory");
		}
		rc = oi_stream_pread(&chd->st, buf, n, chd->map_offset, err);
		for (uint32_t i = 0; rc == 0 && i < chd->hunk_count; i++) {
			uint32_t v = oi_be32dec(buf + 4 * (size_t)i);
			put_entry(chd->map + 12 * (size_t)i,
			    v == 0 ? MAP_ZERO : CHD_MAP_NONE, chd->hunk_bytes,
			    (uint64_t)v * chd->hunk_bytes, 0);
		}
		free(buf);
		return rc;
	}
	if (chd->map_offset > fsize || fsize - chd->map_offset < 16)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s': map: past the end of the file", name_of(chd));
	OI_TRY(oi_stream_pread(&chd->st, head, 16, chd->map_offset, err));
	n = oi_be32dec(head);
	if (n > fsize - chd->map_offset - 16)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s': map: %llu bytes past the end of the file",
		    name_of(chd), (unsigned long long)n);
	buf = malloc(n + 16);
	if (buf == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	rc = oi_stream_pread(&chd->st, buf, n + 16, chd->map_offset, err);
	if (rc == 0)
		rc = oi_chd_decode_map(chd, buf, n + 16, fsize, err);
	free(buf);
	return rc;
}

/* ---- metadata --------------------------------------------------------- */

static int
read_meta(struct oi_chd *chd, struct optimg_error *err)
{
	uint64_t off = chd->meta_offset, fsize = chd->st.size, total = 0;
	uint8_t h[16];

	while (off != 0) {
		struct chd_meta *m;
		/* Each entry takes 16 bytes of its own: more entries than
		   that allows means the chain comes round again. */
		if (chd->nmeta >= MAX_META || chd->nmeta >= fsize / 16 ||
		    off > fsize || fsize - off < 16)
			return oi_set_error(err, OPTIMG_EFORMAT,
			    "'%s': metadata entry %u at byte %llu lies past the "
			    "end of the file or loops", name_of(chd),
			    chd->nmeta, (unsigned long long)off);
		OI_TRY(oi_stream_pread(&chd->st, h, 16, off, err));
		uint32_t len = oi_be32dec(h + 4) & 0xffffff;
		total += len;
		if (len > fsize - off - 16 || total > fsize)
			return oi_set_error(err, OPTIMG_EFORMAT,
			    "'%s': metadata entry %u: %u bytes past the end of "
			    "the file", name_of(chd), chd->nmeta, len);
		/* Capacity doubles at each power of two: linear, not
		   quadratic, in a long chain. */
		if (chd->nmeta == 0 || (chd->nmeta >= 8 &&
		    (chd->nmeta & (chd->nmeta - 1)) == 0)) {
			m = oi_reallocarray(chd->meta,
			    chd->nmeta == 0 ? 8 : (size_t)chd->nmeta * 2,
			    sizeof(*m));
			if (m == NULL)
				return oi_set_error(err, OPTIMG_ENOMEM,
				    "out of memory");
			chd->meta = m;
		}
		m = &chd->meta[chd->nmeta];
		m->tag = oi_be32dec(h);
		m->flags = h[4];
		m->len = len;
		m->data = malloc((size_t)len + 1);
		if (m->data == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		chd->nmeta++;
		m->data[len] = '\0';
		OI_TRY(oi_stream_pread(&chd->st, m->data, len, off + 16, err));
		off = be64(h + 8);
	}
	return OPTIMG_OK;
}

const struct chd_meta *
oi_chd_meta(const struct oi_chd *chd, uint32_t tag, unsigned n)
{
	for (unsigned i = 0; i < chd->nmeta; i++)
		if (chd->meta[i].tag == tag && n-- == 0)
			return &chd->meta[i];
	return NULL;
}

struct meta_hash {
	uint8_t	tag[4];
	uint8_t	sha1[CHD_SHA1_SIZE];
};

static int
cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct meta_hash));
}

void
oi_chd_overall_sha1(const struct chd_meta *meta, unsigned nmeta,
    const uint8_t raw[CHD_SHA1_SIZE], uint8_t out[CHD_SHA1_SIZE])
{
	struct meta_hash *mh = calloc(nmeta + 1, sizeof(*mh));
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned n = 0, olen = 0;

	memset(out, 0, CHD_SHA1_SIZE);
	if (mh == NULL || ctx == NULL)
		goto out;
	for (unsigned i = 0; i < nmeta; i++) {
		if (!(meta[i].flags & CHD_MDFLAGS_CHECKSUM))
			continue;
		for (int k = 0; k < 4; k++)
			mh[n].tag[k] = (uint8_t)(meta[i].tag >> (24 - 8 * k));
		EVP_Digest(meta[i].data, meta[i].len, mh[n].sha1, NULL,
		    EVP_sha1(), NULL);
		n++;
	}
	qsort(mh, n, sizeof(*mh), cmp_hash);
	EVP_DigestInit_ex(ctx, EVP_sha1(), NULL);
	EVP_DigestUpdate(ctx, raw, CHD_SHA1_SIZE);
	EVP_DigestUpdate(ctx, mh, n * sizeof(*mh));
	EVP_DigestFinal_ex(ctx, out, &olen);
out:
	EVP_MD_CTX_free(ctx);
	free(mh);
}

/* ---- parents ---------------------------------------------------------- */

static int open_depth(const char *path, const char *parent_path,
    unsigned depth, struct oi_chd **out, struct optimg_error *err);

static bool
sha1_of_file(const char *path, uint8_t sha1[CHD_SHA1_SIZE])
{
	struct oi_stream st = { .fd = -1 };
	struct optimg_error e;
	uint8_t h[CHD_V5_HEADER_SIZE];
	bool ok;

	if (oi_stream_open(&st, path, &e) < 0)
		return false;
	ok = st.size >= sizeof(h) &&
	    oi_stream_pread(&st, h, sizeof(h), 0, &e) == 0 &&
	    memcmp(h, CHD_MAGIC, 8) == 0 && oi_be32dec(h + 12) == 5;
	if (ok)
		memcpy(sha1, h + 84, CHD_SHA1_SIZE);
	oi_stream_close(&st);
	return ok;
}

static char *
find_parent(const struct oi_chd *chd)
{
	const char *path = chd->st.path, *slash = strrchr(path, '/');
	char *dir = slash == NULL ? oi_strdup(".") :
	    strndup(path, (size_t)(slash - path) + (slash == path));
	char *found = NULL;
	struct dirent *de;
	DIR *d;

	if (dir == NULL || (d = opendir(dir)) == NULL) {
		free(dir);
		return NULL;
	}
	while (found == NULL && (de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		uint8_t sha1[CHD_SHA1_SIZE];
		char *p;
		if (l < 4 || strcasecmp(de->d_name + l - 4, ".chd") != 0)
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			break;
		if (sha1_of_file(p, sha1) &&
		    memcmp(sha1, chd->parent_sha1, CHD_SHA1_SIZE) == 0)
			found = p;
		else
			free(p);
	}
	closedir(d);
	free(dir);
	return found;
}

static void
hex(const uint8_t *p, char *out)
{
	for (int i = 0; i < CHD_SHA1_SIZE; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static int
open_parent(struct oi_chd *chd, const char *parent_path, unsigned depth,
    struct optimg_error *err)
{
	char want[41], *path;
	int rc;

	hex(chd->parent_sha1, want);
	if (depth >= MAX_PARENTS)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s': more than %d parent CHDs in a chain", name_of(chd),
		    MAX_PARENTS);
	path = parent_path != NULL ? oi_strdup(parent_path) : find_parent(chd);
	if (path == NULL)
		return oi_set_error(err, OPTIMG_ENOENT,
		    "'%s': needs its parent CHD (SHA-1 %s); put it in the same "
		    "folder or name it as the parent", name_of(chd), want);
	rc = open_depth(path, NULL, depth + 1, &chd->parent, err);
	if (rc == 0 && memcmp(chd->parent->sha1, chd->parent_sha1,
	    CHD_SHA1_SIZE) != 0)
		rc = oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s' is not the parent of '%s' (SHA-1 %s wanted)", path,
		    name_of(chd), want);
	else if (rc == 0 && (chd->parent->hunk_bytes != chd->hunk_bytes ||
	    chd->parent->unit_bytes != chd->unit_bytes))
		rc = oi_set_error(err, OPTIMG_EUNSUPP,
		    "'%s': parent '%s' has other hunk or unit sizes",
		    name_of(chd), path);
	free(path);
	return rc;
}

/* ---- open and close --------------------------------------------------- */

static int
setup(struct oi_chd *chd, struct optimg_error *err)
{
	chd->cbuf = malloc((size_t)chd->hunk_bytes * 2 + 64);
	chd->cache = calloc(1, sizeof(*chd->cache));
	if (chd->cbuf == NULL || chd->cache == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	chd->cache->data = malloc((size_t)chd->hunk_bytes * CACHE_HUNKS);
	if (chd->cache->data == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	pthread_mutex_init(&chd->cache->lock, NULL);
	for (int i = 0; i < 4; i++) {
		char tag[5];
		if (chd->codecs[i] == CHD_CODEC_NONE)
			continue;
		if (chd_codec_new(chd->codecs[i], chd->hunk_bytes,
		    &chd->codec[i]) < 0) {
			chd_codec_name(chd->codecs[i], tag);
			return oi_set_error(err, OPTIMG_EFORMAT,
			    "'%s': codec '%s' cannot take hunks of %u bytes",
			    name_of(chd), tag, chd->hunk_bytes);
		}
	}
	return OPTIMG_OK;
}

static int
open_depth(const char *path, const char *parent_path, unsigned depth,
    struct oi_chd **out, struct optimg_error *err)
{
	struct oi_chd *chd = calloc(1, sizeof(*chd));
	uint8_t h[CHD_V5_HEADER_SIZE];
	int rc;

	*out = NULL;
	if (chd == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	chd->st.fd = -1;
	chd->depth = depth;
	rc = oi_stream_open(&chd->st, path, err);
	if (rc == 0 && chd->st.size < sizeof(h))
		rc = oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s': too short for a CHD header", path);
	if (rc == 0)
		rc = oi_stream_pread(&chd->st, h, sizeof(h), 0, err);
	if (rc == 0)
		rc = oi_chd_parse_header(chd, h, sizeof(h), err);
	if (rc == 0)
		rc = read_map(chd, err);
	if (rc == 0)
		rc = read_meta(chd, err);
	if (rc == 0)
		rc = setup(chd, err);
	if (rc == 0 && chd->has_parent)
		rc = open_parent(chd, parent_path, depth, err);
	if (rc < 0) {
		oi_chd_close(chd);
		return rc;
	}
	*out = chd;
	return OPTIMG_OK;
}

int
oi_chd_open(const char *path, const char *parent_path, struct oi_chd **out,
    struct optimg_error *err)
{
	return open_depth(path, parent_path, 0, out, err);
}

void
oi_chd_close(struct oi_chd *chd)
{
	if (chd == NULL)
		return;
	oi_chd_ahead_free(chd->ahead);
	oi_chd_close(chd->parent);
	for (int i = 0; i < 4; i++)
		chd_codec_free(chd->codec[i]);
	for (unsigned i = 0; i < chd->nmeta; i++)
		free(chd->meta[i].data);
	free(chd->meta);
	free(chd->map);
	free(chd->cbuf);
	if (chd->cache != NULL) {
		if (chd->cache->data != NULL)
			pthread_mutex_destroy(&chd->cache->lock);
		free(chd->cache->data);
		free(chd->cache);
	}
	oi_stream_close(&chd->st);
	free(chd);
}

void
oi_chd_hunk_stats(const struct oi_chd *chd, uint32_t counts[7])
{
	memset(counts, 0, 7 * sizeof(counts[0]));
	for (uint32_t i = 0; i < chd->hunk_count; i++) {
		unsigned t = chd->map[(size_t)i * 12];
		counts[t == MAP_ZERO ? CHD_MAP_PARENT : t < 7 ? t : 6]++;
	}
}

/* ---- hunks ------------------------------------------------------------ */

static int
hunk_error(struct oi_chd *chd, uint32_t hunk, const char *what)
{
	chd->bad_hunk = hunk;
	return oi_set_error(&chd->err, OPTIMG_EFORMAT, "'%s': hunk %u %s",
	    name_of(chd), hunk, what);
}

static int
read_parent(struct oi_chd *chd, uint32_t hunk, uint64_t unit, uint8_t *out)
{
	struct oi_chd *p = chd->parent;
	uint64_t units = chd->hunk_bytes / chd->unit_bytes;
	uint64_t ph = unit / units, skip = (unit % units) * chd->unit_bytes;
	int rc;

	if (p == NULL)
		return hunk_error(chd, hunk, "refers to a parent CHD");
	if (ph >= p->hunk_count || (skip != 0 && ph + 1 >= p->hunk_count))
		return hunk_error(chd, hunk, "refers past the parent's end");
	rc = oi_chd_read_hunk(p, (uint32_t)ph, out);
	if (rc == 0 && skip != 0) {
		uint8_t *tmp = malloc(chd->hunk_bytes);
		if (tmp == NULL)
			return oi_set_error(&chd->err, OPTIMG_ENOMEM,
			    "out of memory");
		memmove(out, out + skip, chd->hunk_bytes - skip);
		rc = oi_chd_read_hunk(p, (uint32_t)ph + 1, tmp);
		if (rc == 0)
			memcpy(out + chd->hunk_bytes - skip, tmp, skip);
		free(tmp);
	}
	if (rc < 0) {
		chd->err = p->err;
		chd->bad_hunk = hunk;
	}
	return rc;
}

int
oi_chd_decode_hunk(struct oi_chd *chd, uint32_t *hunk, uint8_t *out,
    struct chd_codec *const codec[4], uint8_t *cbuf, const char **why)
{
	struct optimg_error err;
	const uint8_t *e;
	uint32_t len;
	uint64_t off;
	unsigned t;

	/* Copies of earlier hunks: follow them back without recursing. */
	for (;;) {
		e = chd->map + (size_t)*hunk * 12;
		if (e[0] != CHD_MAP_SELF)
			break;
		off = be48(e + 4);
		if (off >= *hunk) {
			*why = "refers to itself or a later hunk";
			return OPTIMG_EFORMAT;
		}
		*hunk = (uint32_t)off;
	}
	t = e[0];
	len = (uint32_t)e[1] << 16 | (uint32_t)e[2] << 8 | e[3];
	off = be48(e + 4);
	if (t == CHD_MAP_PARENT || (t == MAP_ZERO && chd->parent != NULL))
		return CHD_NEEDS_PARENT;
	if (t == MAP_ZERO) {
		memset(out, 0, chd->hunk_bytes);
		return OPTIMG_OK;
	}
	*why = "has an unknown storage type";
	if (t > CHD_MAP_NONE || (t < 4 && codec[t] == NULL))
		return OPTIMG_EFORMAT;
	*why = "lies past the end of the file";
	if (off > chd->st.size || len > chd->st.size - off ||
	    len > chd->hunk_bytes * 2u + 64)
		return OPTIMG_EFORMAT;
	*why = "cannot be read (the file is cut short or unreadable)";
	if (t == CHD_MAP_NONE) {
		if (oi_stream_pread(&chd->st, out, chd->hunk_bytes, off, &err) < 0)
			return OPTIMG_EIO;
	} else {
		if (oi_stream_pread(&chd->st, cbuf, len, off, &err) < 0)
			return OPTIMG_EIO;
		*why = "does not decompress (damaged data)";
		if (chd_codec_decompress(codec[t], cbuf, len, out) < 0)
			return OPTIMG_EFORMAT;
	}
	*why = "fails its CRC";
	if (chd->compressed &&
	    chd_crc16(out, chd->hunk_bytes) != oi_be16dec(e + 10))
		return OPTIMG_EFORMAT;
	return OPTIMG_OK;
}

int
oi_chd_read_hunk(struct oi_chd *chd, uint32_t hunk, uint8_t *out)
{
	const char *why = NULL;
	const uint8_t *e;
	int rc;

	chd->bad_hunk = hunk;
	if (hunk >= chd->hunk_count)
		return oi_set_error(&chd->err, OPTIMG_ERANGE,
		    "'%s': hunk %u is past the last (%u)", name_of(chd), hunk,
		    chd->hunk_count);
	rc = oi_chd_decode_hunk(chd, &hunk, out, chd->codec, chd->cbuf, &why);
	if (rc == OPTIMG_OK)
		return OPTIMG_OK;
	if (rc != CHD_NEEDS_PARENT)
		return hunk_error(chd, hunk, why);
	e = chd->map + (size_t)hunk * 12;
	if (e[0] == MAP_ZERO)
		return read_parent(chd, hunk,
		    (uint64_t)hunk * (chd->hunk_bytes / chd->unit_bytes), out);
	return read_parent(chd, hunk, be48(e + 4), out);
}

static int
cached_hunk(struct oi_chd *chd, uint32_t hunk, const uint8_t **data)
{
	struct chd_hunk_cache *c = chd->cache;
	unsigned victim = 0;

	for (unsigned i = 0; i < CACHE_HUNKS; i++) {
		if (c->used[i] != 0 && c->hunk[i] == hunk) {
			c->used[i] = ++c->clock;
			*data = c->data + (size_t)i * chd->hunk_bytes;
			return OPTIMG_OK;
		}
		if (c->used[i] < c->used[victim])
			victim = i;
	}
	c->used[victim] = 0;
	uint8_t *slot = c->data + (size_t)victim * chd->hunk_bytes;
	if (chd->ahead == NULL && !chd->ahead_tried && hunk > 0 &&
	    hunk == c->last_miss + 1) {
		chd->ahead_tried = true;	/* reads in order: decode ahead */
		chd->ahead = oi_chd_ahead_new(chd);
	}
	c->last_miss = hunk;
	if (chd->ahead == NULL || !oi_chd_ahead_get(chd->ahead, hunk, slot))
		OI_TRY(oi_chd_read_hunk(chd, hunk, slot));
	c->hunk[victim] = hunk;
	c->used[victim] = ++c->clock;
	*data = c->data + (size_t)victim * chd->hunk_bytes;
	return OPTIMG_OK;
}

int
oi_chd_read(struct oi_chd *chd, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf;
	int rc = OPTIMG_OK;

	if (off > chd->logical_bytes || len > chd->logical_bytes - off)
		return oi_set_error(&chd->err, OPTIMG_ERANGE,
		    "'%s': read past the end of the image", name_of(chd));
	pthread_mutex_lock(&chd->cache->lock);
	while (len > 0 && rc == OPTIMG_OK) {
		uint32_t hunk = (uint32_t)(off / chd->hunk_bytes);
		size_t in = (size_t)(off % chd->hunk_bytes);
		size_t n = OI_MIN(len, (size_t)chd->hunk_bytes - in);
		const uint8_t *d;
		rc = cached_hunk(chd, hunk, &d);
		if (rc == OPTIMG_OK)
			memcpy(p, d + in, n);
		p += n;
		off += n;
		len -= n;
	}
	pthread_mutex_unlock(&chd->cache->lock);
	return rc;
}
