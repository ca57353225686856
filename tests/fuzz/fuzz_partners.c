/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_partners -- libFuzzer target for the gateway's partners file
 * parser: any content loads or is refused with a message, never crashes,
 * and what loads can be looked up by id, key and token.
 */
#include "lz_partners.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/lz-fuzz-partners-XXXXXX";
	int fd = mkstemp(path);
	struct lz_partners *ps = NULL;
	char err[512];

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	if (lz_partners_load(path, &ps, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < ps->n; i++) {
			if (lz_partners_by_id(ps, ps->v[i].id) != &ps->v[i])
				abort();
			if (ps->v[i].curve_key[0] &&
			    lz_partners_by_key(ps, ps->v[i].curve_key) !=
				    &ps->v[i])
				abort();
		}
		lz_partners_by_token(ps, "token");
		lz_partners_destroy(&ps);
	} else if (err[0] == '\0') {
		abort(); /* a refusal must say why */
	}
	unlink(path);
	return 0;
}
