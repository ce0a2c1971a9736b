/*
 * findfile.c - the files a sheet names (a cue's FILE, a .gdi's tracks):
 * relative to the sheet's directory, and when not there as written,
 * looked up component by component ignoring case, with / or \ between
 * components, as sheets made on Windows spell them.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "oi_private.h"

static char *
join(const char *dir, const char *name, size_t namelen)
{
	size_t dl = strlen(dir), sep = dl > 0 && dir[dl - 1] == '/' ? 0 : 1;
	char *s = malloc(dl + sep + namelen + 1);

	if (s != NULL) {
		memcpy(s, dir, dl);
		if (sep)
			s[dl] = '/';
		memcpy(s + dl + sep, name, namelen);
		s[dl + sep + namelen] = '\0';
	}
	return s;
}

bool
oi_path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* dir/name, or dir/<entry spelt as name but for case>; NULL if neither. */
char *
oi_find_entry(const char *dir, const char *name, size_t len)
{
	char *path = join(dir, name, len), *hit = NULL;
	struct dirent *de;
	DIR *d;

	if (path == NULL || oi_path_exists(path) || (len == 1 && *name == '.') ||
	    (len == 2 && memcmp(name, "..", 2) == 0))
		return path;
	free(path);
	if ((d = opendir(dir)) == NULL)
		return NULL;
	while (hit == NULL && (de = readdir(d)) != NULL)
		if (strlen(de->d_name) == len &&
		    strncasecmp(de->d_name, name, len) == 0)
			hit = join(dir, de->d_name, len);
	closedir(d);
	return hit;
}

/* name with / or \ between components, each matched ignoring case. */
static char *
find_loosely(const char *dir, const char *name)
{
	char *cur = strdup(*name == '/' || *name == '\\' ? "" : dir);
	const char *p = name;

	while (cur != NULL && *p != '\0') {
		size_t n = strcspn(p, "/\\");
		if (n > 0) {
			char *next = oi_find_entry(*cur != '\0' ? cur : "/",
			    p, n);
			free(cur);
			cur = next;
		}
		p += n + (p[n] != '\0');
	}
	if (cur != NULL && *cur == '\0') {
		free(cur);
		cur = NULL;
	}
	return cur;
}

char *
oi_find_named(const char *dir, const char *name)
{
	char *path = *name == '/' ? strdup(name) : join(dir, name,
	    strlen(name));

	if (path == NULL || oi_path_exists(path))
		return path;
	free(path);
	return find_loosely(dir, name);
}

/*
 * A sheet names x.bin; when there is none, x.bin.ecm, .xz, .zst or .gz
 * (in that order) is taken: that is how ecm(1), xz, zstd and gzip leave a
 * packed file beside its sheet, and oi_stream_open reads it decompressed.
 */
char *
oi_find_file(const char *dir, const char *name)
{
	static const char *const packed[] = { ".ecm", ".xz", ".zst", ".gz" };
	char *path = oi_find_named(dir, name);

	for (unsigned i = 0; path == NULL && i < OI_ARRAY_SIZE(packed); i++) {
		size_t n = strlen(name) + strlen(packed[i]) + 1;
		char *alt = malloc(n);
		if (alt == NULL)
			return NULL;
		snprintf(alt, n, "%s%s", name, packed[i]);
		path = oi_find_named(dir, alt);
		free(alt);
	}
	return path;
}

char *
oi_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

