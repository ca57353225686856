/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_envelope -- libFuzzer target for what every subscriber does with a
 * frame from the bus: decode it as an Envelope and render it as JSON (the
 * tap's and the gateway's event stream's path), payload included.
 */
#include "lz/bus/v1/bus.pb-c.h"
#include "lz_evjson.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Lz__Bus__V1__Envelope *e;
	char *s;

	e = lz__bus__v1__envelope__unpack(NULL, size, data);
	if (e == NULL)
		return 0;
	s = lz_evjson_dumps(e, NULL);
	if (s == NULL)
		abort();
	free(s);
	lz__bus__v1__envelope__free_unpacked(e, NULL);
	return 0;
}
