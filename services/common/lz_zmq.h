/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_zmq.h -- small ZeroMQ helpers shared by the daemons and tools: draining
 * a multipart message, and the CURVE key-pair file.
 *
 * Key-pair file (written by `lz-ctl keygen`, mode 0600):
 *
 *   # Livrazou CURVE key pair: keep secret-key secret
 *   public-key = <40 Z85 characters>
 *   secret-key = <40 Z85 characters>
 */
#ifndef LZ_ZMQ_H
#define LZ_ZMQ_H

#include <stdio.h>

#include <zmq.h>

/* Receives one whole message from SOCK without waiting: its first NF frames
 * go to F (initialised by the caller, who closes them), the rest are
 * discarded.  Returns the number of frames the message had (possibly more
 * than NF), or 0 when no message is ready. */
int lz_zmq_recv(void *sock, zmq_msg_t *f, int nf);

/* Reads a key-pair file into PUB and SEC (41 bytes each, NUL-terminated).
 * SEC may be NULL when only the public key is wanted.  Returns 0, or -1 if
 * the file cannot be read or lacks a 40-character key. */
int lz_zmq_keys_read(const char *path, char pub[41], char sec[41]);

/* Writes a key pair in the format above. */
void lz_zmq_keys_write(FILE *f, const char *pub, const char *sec);

#endif
