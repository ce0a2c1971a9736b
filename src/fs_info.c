/*
 * fs_info.c - the file-system part of `optimg info`: volume descriptors,
 * name spaces, El Torito boot catalog and the system area's partition
 * tables, as text or as a "filesystem" member of info's JSON.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cli.h"

#define OI_CLI_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void
utc_string(int64_t sec, char out[32])
{
	time_t t = (time_t)sec;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, 32, "%lld", (long long)sec);
}

static json_object *
jstr(const char *s)
{
	return json_object_new_string(s);
}

/* ---- volume descriptors ------------------------------------------------ */

static void
text_vd(const struct optimg_fs_vd *v)
{
	char c[32], m[32];

	printf("    LBA %-6lu %s", (unsigned long)v->lba, v->kind);
	if (v->joliet_level)
		printf(" (UCS-2 level %u)", v->joliet_level);
	if (v->type == 0) {
		printf(": %s\n", cli_name(v->boot_system_id));
		return;
	}
	if (v->type != 1 && v->type != 2) {
		putchar('\n');
		return;
	}
	printf(": volume %s, %lu blocks of %u\n", cli_quoted(v->volume_id),
	    (unsigned long)v->volume_blocks, v->block_size);
	if (v->system_id[0])
		printf("      system id     %s\n", cli_name(v->system_id));
	if (v->volume_set_id[0])
		printf("      volume set    %s\n", cli_name(v->volume_set_id));
	if (v->publisher[0])
		printf("      publisher     %s\n", cli_name(v->publisher));
	if (v->preparer[0])
		printf("      preparer      %s\n", cli_name(v->preparer));
	if (v->application[0])
		printf("      application   %s\n", cli_name(v->application));
	utc_string(v->ctime, c);
	utc_string(v->mtime, m);
	if (v->has_ctime)
		printf("      created       %s\n", c);
	if (v->has_mtime)
		printf("      modified      %s\n", m);
}

static json_object *
json_vd(const struct optimg_fs_vd *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "lba", json_object_new_int64(v->lba));
	json_object_object_add(o, "type", json_object_new_int((int)v->type));
	json_object_object_add(o, "kind", jstr(v->kind));
	if (v->type == 0)
		json_object_object_add(o, "boot_system_id",
		    jstr(v->boot_system_id));
	if (v->type != 1 && v->type != 2)
		return o;
	if (v->joliet_level)
		json_object_object_add(o, "joliet_level",
		    json_object_new_int((int)v->joliet_level));
	json_object_object_add(o, "system_id", jstr(v->system_id));
	json_object_object_add(o, "volume_id", jstr(v->volume_id));
	json_object_object_add(o, "volume_set_id", jstr(v->volume_set_id));
	json_object_object_add(o, "publisher", jstr(v->publisher));
	json_object_object_add(o, "preparer", jstr(v->preparer));
	json_object_object_add(o, "application", jstr(v->application));
	json_object_object_add(o, "volume_blocks",
	    json_object_new_int64(v->volume_blocks));
	json_object_object_add(o, "block_size",
	    json_object_new_int((int)v->block_size));
	if (v->has_ctime)
		json_object_object_add(o, "created",
		    json_object_new_int64(v->ctime));
	if (v->has_mtime)
		json_object_object_add(o, "modified",
		    json_object_new_int64(v->mtime));
	return o;
}

/* ---- boot catalog ------------------------------------------------------ */

static void
text_boot(const struct optimg_boot_catalog *c)
{
	char pb[8];
	unsigned i;

	printf("  El Torito boot catalog at LBA %lu (%s, id %s):\n",
	    (unsigned long)c->lba, optimg_boot_platform_name(c->platform, pb),
	    cli_quoted(c->id));
	for (i = 0; i < c->nentries; i++) {
		const struct optimg_boot_entry *e = &c->entries[i];

		printf("    %u  %-7s %-12s %-12s load 0x%04x  %u sectors  "
		    "LBA %lu  %llu bytes%s\n", i + 1,
		    optimg_boot_platform_name(e->platform, pb),
		    e->bootable ? "bootable" : "not bootable",
		    optimg_boot_emulation_name(e->emulation),
		    e->load_segment, e->sector_count, (unsigned long)e->lba,
		    (unsigned long long)e->image_bytes,
		    e->boot_info_table ? "  boot-info-table" : "");
	}
}

static json_object *
json_boot(const struct optimg_boot_catalog *c)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	char pb[8];
	unsigned i;

	json_object_object_add(o, "lba", json_object_new_int64(c->lba));
	json_object_object_add(o, "platform",
	    jstr(optimg_boot_platform_name(c->platform, pb)));
	json_object_object_add(o, "id", jstr(c->id));
	for (i = 0; i < c->nentries; i++) {
		const struct optimg_boot_entry *e = &c->entries[i];
		json_object *x = json_object_new_object();

		json_object_object_add(x, "section",
		    json_object_new_int((int)e->section));
		json_object_object_add(x, "platform",
		    jstr(optimg_boot_platform_name(e->platform, pb)));
		json_object_object_add(x, "bootable",
		    json_object_new_boolean(e->bootable));
		json_object_object_add(x, "emulation",
		    jstr(optimg_boot_emulation_name(e->emulation)));
		json_object_object_add(x, "load_segment",
		    json_object_new_int(e->load_segment));
		json_object_object_add(x, "system_type",
		    json_object_new_int(e->system_type));
		json_object_object_add(x, "sector_count",
		    json_object_new_int(e->sector_count));
		json_object_object_add(x, "lba", json_object_new_int64(e->lba));
		json_object_object_add(x, "image_bytes",
		    json_object_new_int64((int64_t)e->image_bytes));
		json_object_object_add(x, "boot_info_table",
		    json_object_new_boolean(e->boot_info_table));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "entries", a);
	return o;
}

/* ---- system area ------------------------------------------------------- */

static void
text_sysarea(const struct optimg_sysarea *s)
{
	unsigned i;

	if (s->zero) {
		printf("  System area: empty\n");
		return;
	}
	if (!s->mbr && !s->gpt && !s->apm) {
		printf("  System area: no partition table\n");
		return;
	}
	if (s->mbr) {
		printf("  MBR%s%s:\n", s->mbr_boot_code ? " with boot code" :
		    "", s->isohybrid ? " (isohybrid)" : "");
		for (i = 0; i < s->nmbr_parts; i++) {
			const struct optimg_mbr_part *p = &s->mbr_parts[i];

			printf("    %u  status 0x%02x  type 0x%02x  start %lu  "
			    "sectors %lu\n", p->index, p->status, p->type,
			    (unsigned long)p->start, (unsigned long)p->sectors);
		}
	}
	if (s->gpt) {
		printf("  GPT: disk %s, header CRC %s, entries CRC %s\n",
		    s->gpt_disk_guid, s->gpt_header_crc_ok ? "ok" : "BAD",
		    s->gpt_entries_crc_ok ? "ok" : "BAD");
		for (i = 0; i < s->ngpt_parts; i++) {
			const struct optimg_gpt_part *p = &s->gpt_parts[i];

			printf("    %u  %s  %llu..%llu  type %s  %s\n",
			    p->index, p->guid, (unsigned long long)p->first,
			    (unsigned long long)p->last, p->type_guid,
			    cli_quoted(p->name));
		}
	}
	if (s->apm) {
		printf("  Apple partition map (blocks of %u):\n",
		    s->apm_block_size);
		for (i = 0; i < s->napm_parts; i++) {
			const struct optimg_apm_part *p = &s->apm_parts[i];

			printf("    %u  start %lu  blocks %lu  %s  %s\n",
			    p->index, (unsigned long)p->start,
			    (unsigned long)p->blocks, cli_quoted(p->name),
			    cli_name(p->type));
		}
	}
}

static json_object *
json_sysarea(const struct optimg_sysarea *s)
{
	json_object *o = json_object_new_object(), *a;
	unsigned i;

	json_object_object_add(o, "empty", json_object_new_boolean(s->zero));
	if (s->mbr) {
		json_object *m = json_object_new_object();

		a = json_object_new_array();
		json_object_object_add(m, "boot_code",
		    json_object_new_boolean(s->mbr_boot_code));
		json_object_object_add(m, "isohybrid",
		    json_object_new_boolean(s->isohybrid));
		for (i = 0; i < s->nmbr_parts; i++) {
			const struct optimg_mbr_part *p = &s->mbr_parts[i];
			json_object *x = json_object_new_object();

			json_object_object_add(x, "index",
			    json_object_new_int((int)p->index));
			json_object_object_add(x, "status",
			    json_object_new_int(p->status));
			json_object_object_add(x, "type",
			    json_object_new_int(p->type));
			json_object_object_add(x, "start",
			    json_object_new_int64(p->start));
			json_object_object_add(x, "sectors",
			    json_object_new_int64(p->sectors));
			json_object_array_add(a, x);
		}
		json_object_object_add(m, "partitions", a);
		json_object_object_add(o, "mbr", m);
	}
	if (s->gpt) {
		json_object *g = json_object_new_object();

		a = json_object_new_array();
		json_object_object_add(g, "disk_guid", jstr(s->gpt_disk_guid));
		json_object_object_add(g, "header_crc_ok",
		    json_object_new_boolean(s->gpt_header_crc_ok));
		json_object_object_add(g, "entries_crc_ok",
		    json_object_new_boolean(s->gpt_entries_crc_ok));
		for (i = 0; i < s->ngpt_parts; i++) {
			const struct optimg_gpt_part *p = &s->gpt_parts[i];
			json_object *x = json_object_new_object();

			json_object_object_add(x, "index",
			    json_object_new_int((int)p->index));
			json_object_object_add(x, "guid", jstr(p->guid));
			json_object_object_add(x, "type_guid",
			    jstr(p->type_guid));
			json_object_object_add(x, "first",
			    json_object_new_int64((int64_t)p->first));
			json_object_object_add(x, "last",
			    json_object_new_int64((int64_t)p->last));
			json_object_object_add(x, "name", jstr(p->name));
			json_object_array_add(a, x);
		}
		json_object_object_add(g, "partitions", a);
		json_object_object_add(o, "gpt", g);
	}
	if (s->apm) {
		a = json_object_new_array();
		for (i = 0; i < s->napm_parts; i++) {
			const struct optimg_apm_part *p = &s->apm_parts[i];
			json_object *x = json_object_new_object();

			json_object_object_add(x, "start",
			    json_object_new_int64(p->start));
			json_object_object_add(x, "blocks",
			    json_object_new_int64(p->blocks));
			json_object_object_add(x, "name", jstr(p->name));
			json_object_object_add(x, "type", jstr(p->type));
			json_object_array_add(a, x);
		}
		json_object_object_add(o, "apm", a);
	}
	return o;
}

/* ---- entry point ------------------------------------------------------- */

static const enum optimg_fs_namespace all_ns[] = {
	OPTIMG_NS_ISO, OPTIMG_NS_JOLIET, OPTIMG_NS_RR, OPTIMG_NS_UDF
};

int
cli_fs_info(struct optimg_image *img, struct json_object *parent)
{
	struct optimg_fs_opts opts = { OPTIMG_NS_AUTO, 0 };
	struct optimg_error err;
	struct optimg_fs *fs;
	const struct optimg_fs_vd *vds;
	const struct optimg_boot_catalog *boot = NULL;
	const struct optimg_sysarea *sa = NULL;
	json_object *o = NULL, *a;
	unsigned i, nvds;

	if (optimg_fs_open(img, &opts, &fs, &err) < 0) {
		if (parent != NULL)
			json_object_object_add(parent, "filesystem", NULL);
		else
			printf("File system: none (%s)\n", err.message);
		return 0;
	}
	optimg_fs_volume_descriptors(fs, &vds, &nvds);
	if (optimg_fs_boot_catalog(fs, &boot) < 0)
		boot = NULL;
	if (optimg_fs_system_area(fs, &sa) < 0)
		sa = NULL;
	if (parent == NULL) {
		printf("File system:\n  Name spaces:");
		for (i = 0; i < OI_CLI_ARRAY_SIZE(all_ns); i++)
			if (optimg_fs_namespaces(fs) & 1u << all_ns[i])
				printf(" %s", optimg_fs_namespace_name(
				    all_ns[i]));
		printf(" (reading %s)\n", optimg_fs_namespace_name(
		    optimg_fs_namespace(fs)));
		printf("  Volume descriptors:\n");
		for (i = 0; i < nvds; i++)
			text_vd(&vds[i]);
		if (boot != NULL)
			text_boot(boot);
		if (sa != NULL)
			text_sysarea(sa);
	} else {
		o = json_object_new_object();
		a = json_object_new_array();
		for (i = 0; i < OI_CLI_ARRAY_SIZE(all_ns); i++)
			if (optimg_fs_namespaces(fs) & 1u << all_ns[i])
				json_object_array_add(a,
				    jstr(optimg_fs_namespace_name(all_ns[i])));
		json_object_object_add(o, "namespaces", a);
		json_object_object_add(o, "namespace",
		    jstr(optimg_fs_namespace_name(optimg_fs_namespace(fs))));
		a = json_object_new_array();
		for (i = 0; i < nvds; i++)
			json_object_array_add(a, json_vd(&vds[i]));
		json_object_object_add(o, "volume_descriptors", a);
		json_object_object_add(o, "boot_catalog",
		    boot != NULL ? json_boot(boot) : NULL);
		json_object_object_add(o, "system_area",
		    sa != NULL ? json_sysarea(sa) : NULL);
		json_object_object_add(parent, "filesystem", o);
	}
	optimg_fs_free(fs);
	return 0;
}
