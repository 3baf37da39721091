/* An incident's row for the compiled table: generated from
 * safetywatch/accounting/fields.py by `python -m dev.generate`. Do not edit; change the
 * declaration and generate again. accounting/layout.py is the same row in Python. */
#ifndef ROWS_LAYOUT_H
#define ROWS_LAYOUT_H

#define LAYOUT "685267ec12713670"
#define ROW_SIZE 144
#define FIELD_COUNT 16
#define FIGURE_COUNT 14
#define GRADE_MOMENTS 3

enum kind {
    KIND_INT32,
    KIND_INT64,
    KIND_FLAG,
    KIND_CATEGORY,
    KIND_GRADE,
    KIND_REGION,
    KIND_MOMENT,
    KIND_OPTIONAL_MOMENT,
    KIND_GRADE_MOMENTS,
};

/* A part of a row: its name in IncidentFields, its kind, and its byte offset in the
 * row (for a flag: its bit in the flags byte, byte 0). */
typedef struct {
    const char *name;
    enum kind kind;
    int at;
} Part;

/* IncidentFields' fields between incident_id and figures, in order. */
static const Part FIELDS[FIELD_COUNT] = {
    {"ref", KIND_INT64, 1},
    {"revision", KIND_INT32, 9},
    {"retracted", KIND_FLAG, 1},
    {"category", KIND_CATEGORY, 13},
    {"region_code", KIND_REGION, 14},
    {"non_business", KIND_FLAG, 2},
    {"imported", KIND_FLAG, 4},
    {"month", KIND_INT32, 18},
    {"grade", KIND_GRADE, 22},
    {"current_grade", KIND_GRADE, 23},
    {"occurred_at", KIND_MOMENT, 24},
    {"first_received_at", KIND_MOMENT, 34},
    {"last_received_at", KIND_MOMENT, 44},
    {"near_miss_since", KIND_OPTIONAL_MOMENT, 54},
    {"province_since", KIND_OPTIONAL_MOMENT, 64},
    {"grade_since", KIND_GRADE_MOMENTS, 74},
};

/* The figures, in order. */
static const Part FIGURES[FIGURE_COUNT] = {
    {"incidents", KIND_FLAG, 8},
    {"threats", KIND_FLAG, 16},
    {"fire_outbreaks", KIND_FLAG, 32},
    {"deaths", KIND_INT32, 104},
    {"missing", KIND_INT32, 108},
    {"serious_injuries", KIND_INT32, 112},
    {"minor_injuries", KIND_INT32, 116},
    {"direct_loss_fen", KIND_INT64, 120},
    {"damaged_area", KIND_INT32, 128},
    {"late_reports", KIND_FLAG, 64},
    {"near_misses", KIND_FLAG, 128},
    {"late_supplements", KIND_INT32, 132},
    {"fatalities", KIND_INT32, 136},
    {"fatalities_missing", KIND_INT32, 140},
};

/* How an incident is counted (fields.CELL_KEY): into the cell of its month, region,
 * category, grade and whether it is counted apart; not at all when its COUNTS_NOWHERE
 * flag is set. */
#define CELL_MONTH_AT 18
#define CELL_REGION_AT 14
#define CELL_CATEGORY_AT 13
#define CELL_GRADE_AT 22
#define CELL_APART_BIT 2
#define COUNTS_NOWHERE_BIT 1

#endif
