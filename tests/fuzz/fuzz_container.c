/*
 * fuzz_container.c - libFuzzer target for the decompressing streams:
 * gzip (the one-pass index), xz (the file's block index, block headers),
 * zstd (seek table, frame and block headers) and ECM (record heads),
 * chosen by the input's magic number.  Reads go forward, back and to the
 * end, so restarts from each kind of restart point run.  Output is capped
 * at FUZZ_MAX bytes: a small bomb is refused, not decoded.
 */
#include "config.h"

#include "fuzz.h"
#include "unpack.h"

#define FUZZ_MAX (8u << 20)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[4096];
	enum oi_pack_kind kind = oi_pack_detect(data, size);
	struct optimg_error err;
	struct oi_stream st;

	if (kind == OI_PACK_NONE ||
	    oi_stream_open_mem(&st, "fuzz", data, size, &err) < 0)
		return 0;
	if (oi_unpack_wrap(&st, kind, FUZZ_MAX, &err) < 0)
		return 0;
	if (st.size > 0) {
		const uint64_t at[] = { 0, st.size / 2, st.size - 1, 1,
		    st.size / 3, 0 };
		for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			size_t n = (size_t)(st.size - at[i] < sizeof(buf) ?
			    st.size - at[i] : sizeof(buf));
			(void)oi_stream_pread(&st, buf, n, at[i], &err);
		}
	}
	oi_stream_close(&st);
	return 0;
}
