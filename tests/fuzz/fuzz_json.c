/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_json -- libFuzzer target for the protobuf <-> JSON mapping as the
 * gateway uses it: the first byte picks a message type of the registry, the
 * rest is JSON text.  Whatever the input, decoding must fail cleanly or
 * give a message that survives pack -> unpack -> JSON -> decode unchanged.
 */
#include "lz_json.h"
#include "lz_registry.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const ProtobufCMessageDescriptor *d;
	json_t *in, *back;
	uint8_t *bytes = NULL, *bytes2 = NULL;
	size_t len = 0, len2 = 0;
	char err[256];

	if (size < 1 || lz_registry_count() == 0)
		return 0;
	d = lz_registry_at(data[0] % lz_registry_count());
	in = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY,
			NULL);
	if (in == NULL)
		return 0;
	if (lz_json_decode_bytes(d, in, &bytes, &len, err, sizeof(err)) == 0) {
		if (lz_json_encode_bytes(d, bytes, len, &back, err,
					 sizeof(err)) != 0)
			abort(); /* what we made must map back */
		if (lz_json_decode_bytes(d, back, &bytes2, &len2, err,
					 sizeof(err)) != 0)
			abort();
		/* Proto3 JSON is canonical once round-tripped. */
		json_t *again = NULL;
		if (lz_json_encode_bytes(d, bytes2, len2, &again, err,
					 sizeof(err)) != 0 ||
		    !json_equal(back, again))
			abort();
		json_decref(again);
		json_decref(back);
		free(bytes2);
		free(bytes);
	}
	json_decref(in);
	return 0;
}
