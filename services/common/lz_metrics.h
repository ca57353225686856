/*
 * lz_metrics.h -- counters, gauges and histograms, rendered in the
 * Prometheus text exposition format 0.0.4.
 *
 * A metric is a family name plus at most one label (name="value").  Asking
 * twice for the same name and label returns the same metric, so callers
 * may look labelled metrics up lazily (e.g. per source).  Metrics live as
 * long as the registry.  Single-threaded, like the daemons.
 */
#ifndef LZ_METRICS_H
#define LZ_METRICS_H

#include <stdint.h>
#include <stdio.h>

struct lz_metrics;
struct lz_metric;

struct lz_metrics *lz_metrics_new(void);
void lz_metrics_destroy(struct lz_metrics **mp);

/* Returns the metric NAME{LABEL="VALUE"} (LABEL NULL: no label), creating
 * it with HELP.  NAME must be a valid Prometheus name; the first creation
 * of a family fixes its type and help. */
struct lz_metric *lz_metrics_counter(struct lz_metrics *m, const char *name,
				     const char *help, const char *label,
				     const char *value);
struct lz_metric *lz_metrics_gauge(struct lz_metrics *m, const char *name,
				   const char *help, const char *label,
				   const char *value);
/* BOUNDS: NBOUNDS increasing upper bounds (the +Inf bucket is implied). */
struct lz_metric *lz_metrics_histogram(struct lz_metrics *m, const char *name,
				       const char *help, const double *bounds,
				       int nbounds);

void lz_metric_add(struct lz_metric *c, double v);     /* counters, gauges */
void lz_metric_set(struct lz_metric *g, double v);     /* gauges */
void lz_metric_observe(struct lz_metric *h, double v); /* histograms */
double lz_metric_value(const struct lz_metric *c);

/* Writes every metric to F in the text format. */
void lz_metrics_render(const struct lz_metrics *m, FILE *f);

#endif
