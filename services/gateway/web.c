/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * web.c -- the web application's files, on the partners' HTTP listener:
 *
 *   GET /                       303 to /app/
 *   GET /app/, /app/<path>      files of --web-root (index.html for /app/)
 *   GET /app/lib/leaflet/<path> files of --leaflet-root (Debian's
 *                               libjs-leaflet)
 *
 * Only plain files under the roots are served: a path is 1..255 bytes of
 * [A-Za-z0-9._/-] with no "..", no "//" and no dot-file, and the file's
 * real path must stay under its root's.  Every answer names its type (an
 * unknown extension is not served), has "X-Content-Type-Options: nosniff",
 * a Content-Security-Policy that allows only this origin (and the map
 * tiles' origin for images), and "Cache-Control: no-cache" with an ETag
 * (size and modification time), so that a browser revalidates and gets
 * 304 while the file is unchanged.
 */
#include "gateway.h"

#include "lz_http.h"
#include "lz_log.h"
#include "lz_util.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_MAX_WEB 255
#define FILE_MAX (8u << 20)

static const struct {
	const char *ext, *type;
} types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".webmanifest", "application/manifest+json"},
	{".map", "application/json"},
	{".txt", "text/plain; charset=utf-8"},
};

static const char *
type_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < LZ_ARRAY_LEN(types); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

static int
path_ok(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > PATH_MAX_WEB || strstr(p, "..") || strstr(p, "//") ||
	    p[0] == '/' || p[0] == '.' || strstr(p, "/."))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		      (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
		      p[i] == '_' || p[i] == '-' || p[i] == '/'))
			return 0;
	return 1;
}

/* The origin ("https://host[:port]") of the tile URL, for the CSP. */
static void
tile_origin(const char *url, char *out, size_t len)
{
	const char *s = url ? strstr(url, "://") : NULL;
	size_t n;

	out[0] = '\0';
	if (s == NULL)
		return;
	n = (size_t)(s - url) + 3 + strcspn(s + 3, "/");
	if (n < len &&
	    strspn(url, "abcdefghijklmnopqrstuvwxyz") == (size_t)(s - url)) {
		memcpy(out, url, n);
		out[n] = '\0';
		/* "{s}.tile.example.org": any subdomain */
		char *brace = strstr(out, "{s}.");
		if (brace) {
			brace[0] = '*';
			memmove(brace + 1, brace + 3, strlen(brace + 3) + 1);
		}
	}
}

static void
security_headers(struct gw *g, struct evkeyvalq *h)
{
	evhttp_add_header(h, "Content-Security-Policy", g->csp);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "same-origin");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
}

/* Serves REL under ROOT. */
static void
serve(struct gw *g, struct evhttp_request *req, const char *root,
      const char *rel)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	char path[PATH_MAX], real[PATH_MAX], rroot[PATH_MAX], etag[64];
	const char *type = type_of(rel), *inm;
	struct evbuffer *b;
	struct stat st;
	size_t rl;
	int fd;

	if (!path_ok(rel) || type == NULL ||
	    snprintf(path, sizeof(path), "%s/%s", root, rel) >=
		    (int)sizeof(path) ||
	    realpath(root, rroot) == NULL || realpath(path, real) == NULL ||
	    strncmp(real, rroot, rl = strlen(rroot)) != 0 || real[rl] != '/' ||
	    (fd = open(real, O_RDONLY | O_CLOEXEC)) < 0) {
		lz_http_reply_error(req, 404, "no such file");
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)FILE_MAX) {
		close(fd);
		lz_http_reply_error(req, 404, "no such file");
		return;
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
		 (unsigned long long)st.st_size,
		 (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
			 (unsigned long long)st.st_mtim.tv_nsec);
	security_headers(g, out);
	evhttp_add_header(out, "Cache-Control", "no-cache");
	evhttp_add_header(out, "ETag", etag);
	inm = evhttp_find_header(evhttp_request_get_input_headers(req),
				 "If-None-Match");
	if (inm && strcmp(inm, etag) == 0) {
		close(fd);
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		return;
	}
	evhttp_add_header(out, "Content-Type", type);
	b = evbuffer_new();
	if (st.st_size > 0 && evbuffer_add_file(b, fd, 0, st.st_size) != 0) {
		close(fd);
		evbuffer_free(b);
		lz_http_reply_error(req, 500, "cannot read the file");
		return;
	}
	if (st.st_size == 0)
		close(fd); /* evbuffer_add_file owns FD otherwise */
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
on_app(struct evhttp_request *req, void *arg)
{
	struct gw *g = arg;
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	static const char lib[] = "/app/lib/leaflet/";

	if (!lz_http_only_get(req))
		return;
	if (strcmp(path, "/app") == 0 || strcmp(path, "/app/") == 0) {
		serve(g, req, g->web_root, "index.html");
	} else if (strncmp(path, lib, sizeof(lib) - 1) == 0) {
		serve(g, req, g->leaflet_root, path + sizeof(lib) - 1);
	} else {
		serve(g, req, g->web_root, path + strlen("/app/"));
	}
}

static void
on_root(struct evhttp_request *req, void *arg)
{
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));

	if (strcmp(path, "/") != 0) {
		lz_http_reply_error(req, 404, "no such endpoint");
		return;
	}
	if (!lz_http_only_get(req))
		return;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
			  "/app/");
	evhttp_send_reply(req, 303, "See Other", NULL);
}

void
gw_web_start(struct gw *g)
{
	char origin[256];
	struct stat st;

	tile_origin(g->tile_url, origin, sizeof(origin));
	snprintf(g->csp, sizeof(g->csp),
		 "default-src 'self'; img-src 'self' data:%s%s; "
		 "style-src 'self'; script-src 'self'; connect-src 'self'; "
		 "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
		 origin[0] ? " " : "", origin);
	if (stat(g->web_root, &st) != 0 || !S_ISDIR(st.st_mode))
		lz_log_warn("no web application", "web_root=%s error=\"%s\"",
			    g->web_root, strerror(errno ? errno : ENOTDIR));
	lz_http_route(g->api, "/app", on_app, g);
	lz_http_route(g->api, "/app/", on_app, g);
	lz_http_route(g->api, "/", on_root, g);
}
