/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * query.c -- the reports over HTTP (on the admin address):
 *
 *   GET /v1/report?from=YYYY-MM-DD&to=YYYY-MM-DD&member=ID&format=F
 *
 * FROM and TO are local dates, inclusive (default: today); MEMBER limits
 * the report to one member (default: the association); F is json (the
 * lz.impact.v1.Report in proto3 JSON, the default), csv or html.  400 for
 * a malformed parameter or period, 404 for an unknown member, 405 for
 * another method.
 */
#include "impact.h"

#include "lz_date.h"
#include "lz_http.h"
#include "lz_json.h"
#include "lz_store.h"
#include "lz_util.h"

#include <errno.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

static void
on_report(struct evhttp_request *req, void *arg)
{
	struct impact *im = arg;
	const char *q =
		evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq params;
	const char *from, *to, *member, *format;
	struct impact_acc a;
	Report r;
	char today[11];
	int64_t now = lz_now_us() / 1000000;
	int rc;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Allow", "GET");
		lz_http_reply_error(req, 405, "method not allowed: use GET");
		return;
	}
	if (evhttp_parse_query_str(q ? q : "", &params) != 0) {
		lz_http_reply_error(req, 400, "malformed query string");
		goto out;
	}
	if (lz_date_local(now, today) != 0)
		memcpy(today, "1970-01-01", 11);
	from = evhttp_find_header(&params, "from");
	to = evhttp_find_header(&params, "to");
	member = evhttp_find_header(&params, "member");
	format = evhttp_find_header(&params, "format");
	from = from ? from : today;
	to = to ? to : from;
	format = format ? format : "json";
	if (!lz_date_valid(from) || !lz_date_valid(to)) {
		lz_http_reply_error(req, 400, "from, to: want YYYY-MM-DD");
		goto out;
	}
	if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "html") != 0) {
		lz_http_reply_error(req, 400, "format: json, csv or html");
		goto out;
	}
	if (member && strlen(member) > 200) {
		lz_http_reply_error(req, 400, "member: too long");
		goto out;
	}
	rc = impact_report(im, from, to, member, now, &a, &r);
	if (rc == -EINVAL) {
		lz_http_reply_error(req, 400,
				    "period: to before from, or longer than "
				    "ten years");
	} else if (rc == -ENOENT) {
		lz_http_reply_error(req, 404, "unknown member");
	} else if (rc != 0) {
		lz_http_reply_error(req, 500, lz_store_strerror(rc));
	} else if (strcmp(format, "json") == 0) {
		json_t *j = lz_json_from_message(&r.base);

		if (j)
			lz_http_reply_json(req, 200, j);
		else
			lz_http_reply_error(req, 500, "report not encodable");
		json_decref(j);
	} else {
		int csv = strcmp(format, "csv") == 0;
		char *body =
			csv ? impact_report_csv(&r) : impact_report_html(&r);

		lz_http_reply(req, 200,
			      csv ? "text/csv; charset=utf-8"
				  : "text/html; charset=utf-8",
			      body, strlen(body));
		free(body);
	}
	impact_acc_release(&a);
out:
	evhttp_clear_headers(&params);
}

void
impact_http_routes(struct lz_http *h, struct impact *im)
{
	lz_http_route(h, "/v1/report", on_report, im);
}
