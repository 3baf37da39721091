/* The ledger's incident rows and month cells, compiled: the same rows and counts as the
 * Python table (accounting/table.py and accounting/cells.py), without an interpreter step
 * per field. Built at install time as the extension safetywatch.native._rows.
 *
 * Nothing here names a field or a figure: layout.h, generated from the incident's one
 * declaration (accounting/fields.py), says where each part of a row lies and of what
 * kind it is, and this file reads and writes parts by kind. A row is ROW_SIZE bytes,
 * exactly the bytes the Python table packs with accounting/layout.py's ROW, so either
 * table reads the other's checkpoint.
 *
 * One row per incident, in the order incidents first appeared. The ids live in one arena,
 * each followed by '\n' (an id never holds one), found through an open-addressing hash
 * table of row numbers.
 */
#define _GNU_SOURCE /* mremap */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <structmember.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "layout.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "rows are little-endian, as accounting/layout.py packs them"
#endif

#define NO_MOMENT INT64_MIN
#define US_PER_DAY 86400000000LL
/* IncidentFields: incident_id, the fields, figures, rare. */
#define STATE_ARGS (FIELD_COUNT + 3)

typedef unsigned char Row;

typedef struct {
    PyObject_HEAD
    Row *rows; /* count rows of ROW_SIZE bytes */
    Py_ssize_t count, capacity;
    size_t rows_bytes, starts_bytes; /* the sizes of their regions */
    char *arena;                     /* ids, each followed by '\n' */
    size_t arena_used, arena_capacity;
    uint32_t *starts; /* where each row's id starts in the arena */
    uint64_t *slots;  /* the id's hash tag << 32 | row + 1; 0 when empty */
    size_t mask;
    int loading; /* between adopt and index: ids appended, not yet placed */
    /* what the rows index into, and what they are read back as */
    PyObject *state_class, *categories, *category_index, *grades, *grade_index;
    PyObject *above_ordinary, *common, *no_grades;
    PyObject *regions, *region_index, *offsets, *offset_index, *rare;
    /* the counts the rows add up to: month index -> Cells, and what makes a Cells */
    PyObject *months, *month_cells;
    int64_t *offset_us; /* each offset's microseconds east of UTC */
    Py_ssize_t offset_capacity;
    PyObject *names[STATE_ARGS];          /* the state's attribute names, interned */
    Py_ssize_t slot_offset[STATE_ARGS];   /* where the state class keeps each */
    int direct;                           /* whether every one of them is a plain slot */
} Rows;

static PyObject *s_utcoffset;

/* -- reading and writing a row's parts ---------------------------------------------- */

static int64_t get_i64(const Row *row, int at) { int64_t v; memcpy(&v, row + at, sizeof v); return v; }
static int32_t get_i32(const Row *row, int at) { int32_t v; memcpy(&v, row + at, sizeof v); return v; }
static uint16_t get_u16(const Row *row, int at) { uint16_t v; memcpy(&v, row + at, sizeof v); return v; }
static void put_i64(Row *row, int at, int64_t v) { memcpy(row + at, &v, sizeof v); }
static void put_i32(Row *row, int at, int32_t v) { memcpy(row + at, &v, sizeof v); }
static void put_u16(Row *row, int at, uint16_t v) { memcpy(row + at, &v, sizeof v); }
static Row *row_at(Rows *self, Py_ssize_t row) { return self->rows + (size_t)row * ROW_SIZE; }
static int count_row(Rows *self, const Row *row, int64_t sign);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's
 * algorithms): a moment is its wall time minus its offset, with no call into Python. */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t delta_us(PyObject *delta) {
    return ((int64_t)PyDateTime_DELTA_GET_DAYS(delta) * 86400 + PyDateTime_DELTA_GET_SECONDS(delta)) * 1000000
        + PyDateTime_DELTA_GET_MICROSECONDS(delta);
}

/* -- incident ids and their slots ------------------------------------------------ */

static uint64_t hash_id(const char *text, Py_ssize_t length) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (Py_ssize_t i = 0; i < length; i++) {
        h ^= (unsigned char)text[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static const char *id_of(Rows *self, Py_ssize_t row, Py_ssize_t *length) {
    uint32_t start = self->starts[row];
    uint32_t end = row + 1 < self->count ? self->starts[row + 1] : (uint32_t)self->arena_used;
    *length = (Py_ssize_t)(end - start) - 1;
    return self->arena + start;
}

/* A slot holds the upper half of its id's hash beside the row: probing compares tags
 * and reads an id only when they match (most probes touch no other memory). */
static uint64_t slot_of(uint64_t hash, Py_ssize_t row) { return (hash & 0xFFFFFFFF00000000ULL) | (uint64_t)(row + 1); }

static void place(uint64_t *slots, size_t mask, uint64_t hash, Py_ssize_t row) {
    size_t i = (size_t)hash & mask;
    while (slots[i]) i = (i + 1) & mask;
    slots[i] = slot_of(hash, row);
}

static Py_ssize_t find(Rows *self, const char *text, Py_ssize_t length, uint64_t hash, size_t *slot) {
    if (self->slots == NULL) return -1;
    size_t i = (size_t)hash & self->mask;
    for (uint64_t value; (value = self->slots[i]) != 0; i = (i + 1) & self->mask) {
        if ((value ^ hash) >> 32) continue;
        Py_ssize_t row = (Py_ssize_t)(value & 0xFFFFFFFFu) - 1, have;
        const char *other = id_of(self, row, &have);
        if (have == length && memcmp(other, text, (size_t)length) == 0) {
            if (slot) *slot = i;
            return row;
        }
    }
    if (slot) *slot = i;
    return -1;
}

static void place_every_id(Rows *self) {
    for (Py_ssize_t row = 0; row < self->count; row++) {
        Py_ssize_t length;
        const char *text = id_of(self, row, &length);
        place(self->slots, self->mask, hash_id(text, length), row);
    }
}

/* The rows, their id starts, the id arena and the slots grow to hundreds of MB, each in
 * a mapping of its own: growing one is an mremap, which neither copies it nor leaves the
 * old copy resident. glibc's realloc served them from its heap once its dynamic mmap
 * threshold had risen, and there every growth stranded the old copy: 50 MB of 370 at
 * 870k incidents (measured). A new region reads as zeros. */
static void *grow_region(void *old, size_t old_bytes, size_t new_bytes) {
    void *region;
    if (old == NULL) {
        region = mmap(NULL, new_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    } else {
#ifdef __linux__
        region = mremap(old, old_bytes, new_bytes, MREMAP_MAYMOVE);
#else
        region = mmap(NULL, new_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (region != MAP_FAILED) {
            memcpy(region, old, old_bytes < new_bytes ? old_bytes : new_bytes);
            munmap(old, old_bytes);
        }
#endif
    }
    return region == MAP_FAILED ? NULL : region;
}

static void free_region(void *region, size_t bytes) {
    if (region != NULL) munmap(region, bytes);
}

static uint64_t *new_slots(size_t size) { return grow_region(NULL, 0, size * sizeof(uint64_t)); }

static void free_slots(uint64_t *slots, size_t size) { free_region(slots, size * sizeof(uint64_t)); }

/* At most two thirds full: tags keep probes within a cache line or two, and a table of
 * millions costs ~12 bytes an id instead of ~24 at half full. */
static int too_full(Py_ssize_t ids, size_t size) { return (size_t)ids * 3 > size * 2; }

static int grow_slots(Rows *self, Py_ssize_t wanted) {
    size_t size = self->slots ? self->mask + 1 : 1024;
    if (!too_full(wanted, size) && self->slots) return 0;
    while (too_full(wanted, size)) size *= 2;
    uint64_t *slots = new_slots(size);
    if (slots == NULL) { PyErr_NoMemory(); return -1; }
    free_slots(self->slots, self->mask + 1);
    self->slots = slots;
    self->mask = size - 1;
    place_every_id(self);
    return 0;
}

static int reserve(Rows *self, Py_ssize_t rows, size_t arena) {
    if (self->count + rows > self->capacity) {
        Py_ssize_t capacity = self->capacity ? self->capacity : 4096;
        while (capacity < self->count + rows) capacity += capacity / 2;
        if (capacity > (Py_ssize_t)UINT32_MAX - 1) { PyErr_SetString(PyExc_OverflowError, "too many incidents"); return -1; }
        size_t rows_bytes = (size_t)capacity * ROW_SIZE, starts_bytes = (size_t)capacity * sizeof(uint32_t);
        Row *grown = grow_region(self->rows, self->rows_bytes, rows_bytes);
        if (grown == NULL) { PyErr_NoMemory(); return -1; }
        self->rows = grown;
        self->rows_bytes = rows_bytes;
        uint32_t *starts = grow_region(self->starts, self->starts_bytes, starts_bytes);
        if (starts == NULL) { PyErr_NoMemory(); return -1; }
        self->starts = starts;
        self->starts_bytes = starts_bytes;
        self->capacity = capacity;
    }
    if (self->arena_used + arena > self->arena_capacity) {
        size_t capacity = self->arena_capacity ? self->arena_capacity : 65536;
        while (capacity < self->arena_used + arena) capacity += capacity / 2;
        if (capacity > UINT32_MAX) { PyErr_SetString(PyExc_OverflowError, "incident ids exceed 4 GB"); return -1; }
        char *grown = grow_region(self->arena, self->arena_capacity, capacity);
        if (!grown) { PyErr_NoMemory(); return -1; }
        self->arena = grown;
        self->arena_capacity = capacity;
    }
    return self->loading ? 0 : grow_slots(self, self->count + rows);
}

static Py_ssize_t append_to_arena(Rows *self, const char *text, Py_ssize_t length) {
    Py_ssize_t row = self->count++;
    self->starts[row] = (uint32_t)self->arena_used;
    memcpy(self->arena + self->arena_used, text, (size_t)length);
    self->arena[self->arena_used + (size_t)length] = '\n';
    self->arena_used += (size_t)length + 1;
    memset(row_at(self, row), 0, ROW_SIZE);
    return row;
}

/* Appends one id (checked for '\n') as a new row; its fields are written by put. While
 * loading, the id is placed in the slots later, by index(). */
static Py_ssize_t append_id(Rows *self, const char *text, Py_ssize_t length) {
    if (memchr(text, '\n', (size_t)length)) { PyErr_SetString(PyExc_ValueError, "an incident id holds a newline"); return -1; }
    if (reserve(self, 1, (size_t)length + 1) < 0) return -1;
    if (self->loading) return append_to_arena(self, text, length);
    size_t slot;
    uint64_t hash = hash_id(text, length);
    if (find(self, text, length, hash, &slot) >= 0) { PyErr_SetString(PyExc_ValueError, "the incident is already in the table"); return -1; }
    Py_ssize_t row = append_to_arena(self, text, length);
    self->slots[slot] = slot_of(hash, row);
    return row;
}


/* -- from Python objects to a row ------------------------------------------------ */

static long index_in(PyObject *index, PyObject *key, const char *what) {
    PyObject *found = PyDict_GetItemWithError(index, key);
    if (found == NULL) {
        if (!PyErr_Occurred()) PyErr_Format(PyExc_ValueError, "unknown %s: %R", what, key);
        return -1;
    }
    return PyLong_AsLong(found);
}

static int keep_offset_us(Rows *self, Py_ssize_t index, int64_t us) {
    if (index >= self->offset_capacity) {
        Py_ssize_t capacity = self->offset_capacity ? self->offset_capacity * 2 : 16;
        int64_t *grown = PyMem_RawRealloc(self->offset_us, (size_t)capacity * sizeof(int64_t));
        if (grown == NULL) { PyErr_NoMemory(); return -1; }
        self->offset_us = grown;
        self->offset_capacity = capacity;
    }
    self->offset_us[index] = us;
    return 0;
}

static long register_offset(Rows *self, PyObject *moment) {
    PyObject *offset = PyObject_CallMethodNoArgs(moment, s_utcoffset);
    if (offset == NULL) return -1;
    if (offset == Py_None) { Py_DECREF(offset); PyErr_SetString(PyExc_ValueError, "a naive moment"); return -1; }
    long index;
    PyObject *found = PyDict_GetItemWithError(self->offset_index, offset);
    if (found != NULL) {
        index = PyLong_AsLong(found);
    } else if (PyErr_Occurred()) {
        Py_DECREF(offset);
        return -1;
    } else {
        index = (long)PyList_GET_SIZE(self->offsets);
        int zero = PyDateTime_DELTA_GET_DAYS(offset) == 0 && PyDateTime_DELTA_GET_SECONDS(offset) == 0 && PyDateTime_DELTA_GET_MICROSECONDS(offset) == 0;
        PyObject *zone = zero ? Py_NewRef(PyDateTime_TimeZone_UTC) : PyTimeZone_FromOffset(offset);
        PyObject *number = PyLong_FromLong(index);
        int failed = zone == NULL || number == NULL || index > 65535 || keep_offset_us(self, index, delta_us(offset)) < 0
            || PyList_Append(self->offsets, zone) < 0 || PyDict_SetItem(self->offset_index, offset, number) < 0;
        Py_XDECREF(zone);
        Py_XDECREF(number);
        if (failed) { Py_DECREF(offset); if (!PyErr_Occurred()) PyErr_SetString(PyExc_OverflowError, "too many UTC offsets"); return -1; }
    }
    /* A fixed-offset tzinfo (its offset needs no moment) is a key of its own. */
    PyObject *tz = PyDateTime_DATE_GET_TZINFO(moment);
    PyObject *fixed = PyObject_CallMethodOneArg(tz, s_utcoffset, Py_None);
    int same = fixed == NULL ? -1 : PyObject_RichCompareBool(fixed, offset, Py_EQ);
    Py_XDECREF(fixed);
    Py_DECREF(offset);
    if (same < 0) { PyErr_Clear(); return index; }
    if (same) {
        PyObject *number = PyLong_FromLong(index);
        if (number == NULL || PyDict_SetItem(self->offset_index, tz, number) < 0) { Py_XDECREF(number); return -1; }
        Py_DECREF(number);
    }
    return index;
}

/* A moment as its microseconds since the epoch and the index of its UTC offset, at byte
 * ``at`` of the row; None as NO_MOMENT. */
static int moment_into(Rows *self, PyObject *moment, Row *row, int at) {
    if (moment == Py_None || moment == NULL) {
        put_i64(row, at, NO_MOMENT);
        put_u16(row, at + 8, 0);
        return 0;
    }
    if (!PyDateTime_Check(moment)) { PyErr_Format(PyExc_TypeError, "not a datetime: %R", moment); return -1; }
    PyObject *tz = PyDateTime_DATE_GET_TZINFO(moment);
    PyObject *found = PyDict_GetItemWithError(self->offset_index, tz);
    long index = found ? PyLong_AsLong(found) : (PyErr_Occurred() ? -1 : register_offset(self, moment));
    if (index < 0) return -1;
    int64_t days = days_from_civil(PyDateTime_GET_YEAR(moment), PyDateTime_GET_MONTH(moment), PyDateTime_GET_DAY(moment));
    int64_t seconds = days * 86400 + PyDateTime_DATE_GET_HOUR(moment) * 3600
        + PyDateTime_DATE_GET_MINUTE(moment) * 60 + PyDateTime_DATE_GET_SECOND(moment);
    put_i64(row, at, seconds * 1000000 + PyDateTime_DATE_GET_MICROSECOND(moment) - self->offset_us[index]);
    put_u16(row, at + 8, (uint16_t)index);
    return 0;
}

static int int32_of(PyObject *object, int32_t *into) {
    long value = PyLong_AsLong(object);
    if (value == -1 && PyErr_Occurred()) return -1;
    if (value < INT32_MIN || value > INT32_MAX) { PyErr_SetString(PyExc_OverflowError, "a figure beyond 32 bits"); return -1; }
    *into = (int32_t)value;
    return 0;
}

static int int64_of(PyObject *object, int64_t *into) {
    long long value = PyLong_AsLongLong(object);
    if (value == -1 && PyErr_Occurred()) return -1;
    *into = (int64_t)value;
    return 0;
}

/* Where the state class keeps each attribute: read straight from the instance when it is
 * exactly that class (a slots dataclass), by getattr otherwise. */
static int find_slots(Rows *self, PyObject *state_class) {
    self->direct = PyType_Check(state_class);
    for (int i = 0; i < STATE_ARGS && self->direct; i++) {
        PyObject *descr = PyObject_GetAttr(state_class, self->names[i]);
        if (descr == NULL) return -1;
        if (Py_IS_TYPE(descr, &PyMemberDescr_Type) && ((PyMemberDescrObject *)descr)->d_member->type == T_OBJECT_EX)
            self->slot_offset[i] = ((PyMemberDescrObject *)descr)->d_member->offset;
        else
            self->direct = 0;
        Py_DECREF(descr);
    }
    return 0;
}

static PyObject *attribute(Rows *self, PyObject *state, int i) {
    if (self->direct && Py_TYPE(state) == (PyTypeObject *)self->state_class) {
        PyObject *value = *(PyObject **)((char *)state + self->slot_offset[i]);
        if (value != NULL) return Py_NewRef(value);
    }
    return PyObject_GetAttr(state, self->names[i]);
}

static int region_into(Rows *self, PyObject *region_code, Row *row, int at) {
    PyObject *region = PyDict_GetItemWithError(self->region_index, region_code);
    if (region != NULL) {
        put_i32(row, at, (int32_t)PyLong_AsLong(region));
        return 0;
    }
    if (PyErr_Occurred()) return -1;
    if (!PyUnicode_Check(region_code)) { PyErr_SetString(PyExc_TypeError, "a region code: str"); return -1; }
    PyObject *number = PyLong_FromSsize_t(PyList_GET_SIZE(self->regions));
    int failed = number == NULL || PyList_Append(self->regions, region_code) < 0
        || PyDict_SetItem(self->region_index, region_code, number) < 0;
    if (!failed) put_i32(row, at, (int32_t)PyLong_AsLong(number));
    Py_XDECREF(number);
    return failed ? -1 : 0;
}

static int grade_moments_into(Rows *self, PyObject *since, Row *row, int at) {
    int any = since == self->no_grades ? 0 : PyObject_IsTrue(since);
    if (any < 0) return -1;
    for (Py_ssize_t g = 0; g < GRADE_MOMENTS; g++) {
        PyObject *moment = NULL;
        if (any) {
            moment = PyObject_GetItem(since, PyTuple_GET_ITEM(self->above_ordinary, g));
            if (moment == NULL) {
                if (!PyErr_ExceptionMatches(PyExc_KeyError)) return -1;
                PyErr_Clear();
            }
        }
        int failed = moment_into(self, moment, row, at + (int)g * 10);
        Py_XDECREF(moment);
        if (failed < 0) return -1;
    }
    return 0;
}

/* One part of the state into the row, by its kind. */
static int part_into(Rows *self, const Part *part, PyObject *value, Row *row) {
    int32_t i32;
    int64_t i64;
    long index;
    int flag;
    switch (part->kind) {
    case KIND_INT32:
        if (int32_of(value, &i32) < 0) return -1;
        put_i32(row, part->at, i32);
        return 0;
    case KIND_INT64:
        if (int64_of(value, &i64) < 0) return -1;
        put_i64(row, part->at, i64);
        return 0;
    case KIND_FLAG:
        if ((flag = PyObject_IsTrue(value)) < 0) return -1;
        if (flag) row[0] |= (Row)part->at;
        return 0;
    case KIND_CATEGORY:
        if ((index = index_in(self->category_index, value, "category")) < 0) return -1;
        row[part->at] = (Row)index;
        return 0;
    case KIND_GRADE:
        if ((index = index_in(self->grade_index, value, "grade")) < 0) return -1;
        row[part->at] = (Row)index;
        return 0;
    case KIND_REGION:
        return region_into(self, value, row, part->at);
    case KIND_MOMENT:
    case KIND_OPTIONAL_MOMENT:
        return moment_into(self, value, row, part->at);
    case KIND_GRADE_MOMENTS:
        return grade_moments_into(self, value, row, part->at);
    }
    PyErr_SetString(PyExc_SystemError, "a part of an unknown kind");
    return -1;
}

static int figures_into(Rows *self, PyObject *figures, Row *row) {
    if (!PyTuple_Check(figures) || PyTuple_GET_SIZE(figures) != FIGURE_COUNT) {
        PyErr_Format(PyExc_TypeError, "figures: a tuple of %d", FIGURE_COUNT);
        return -1;
    }
    for (int f = 0; f < FIGURE_COUNT; f++)
        if (part_into(self, &FIGURES[f], PyTuple_GET_ITEM(figures, f), row) < 0) return -1;
    return 0;
}

/* The row of ``state`` and (a new reference) its rare; nothing in the table changes but
 * the regions and offsets seen. */
static int row_from(Rows *self, PyObject *state, Row *out, PyObject **rare_out) {
    memset(out, 0, ROW_SIZE);
    for (int i = 0; i < FIELD_COUNT; i++) {
        PyObject *value = attribute(self, state, 1 + i);
        int failed = value == NULL || part_into(self, &FIELDS[i], value, out) < 0;
        Py_XDECREF(value);
        if (failed) return -1;
    }
    PyObject *figures = attribute(self, state, 1 + FIELD_COUNT);
    int failed = figures == NULL || figures_into(self, figures, out) < 0;
    Py_XDECREF(figures);
    if (failed) return -1;
    *rare_out = attribute(self, state, 2 + FIELD_COUNT);
    return *rare_out == NULL ? -1 : 0;
}

static int keep_rare(Rows *self, Py_ssize_t row, PyObject *rare) {
    if (rare == self->common && !PyDict_GET_SIZE(self->rare)) return 0;
    PyObject *key = PyLong_FromSsize_t(row);
    if (key == NULL) return -1;
    int failed;
    if (rare == self->common) {
        int has = PyDict_Contains(self->rare, key);
        failed = has < 0 || (has && PyDict_DelItem(self->rare, key) < 0);
    } else {
        failed = PyDict_SetItem(self->rare, key, rare) < 0;
    }
    Py_DECREF(key);
    return failed ? -1 : 0;
}

/* Write a revision over its row, and move the incident's contribution: the old row's
 * counts are withdrawn (read from its bytes) and the new row's deposited. */
static int put_state(Rows *self, Py_ssize_t row, PyObject *state) {
    Row r[ROW_SIZE];
    PyObject *rare;
    if (row_from(self, state, r, &rare) < 0) return -1;
    int failed = count_row(self, row_at(self, row), -1) < 0;
    if (!failed) {
        memcpy(row_at(self, row), r, ROW_SIZE);
        failed = keep_rare(self, row, rare) < 0 || count_row(self, row_at(self, row), 1) < 0;
    }
    Py_DECREF(rare);
    return failed ? -1 : 0;
}

/* Forget every row from ``count`` on (undoing a failed extend). */
static void truncate_to(Rows *self, Py_ssize_t count) {
    if (count >= self->count) return;
    self->arena_used = self->starts[count];
    self->count = count;
    if (self->slots == NULL) return;
    memset(self->slots, 0, (self->mask + 1) * sizeof(uint64_t));
    place_every_id(self);
}

/* -- from a row back to an IncidentState ----------------------------------------- */

static PyObject *moment_of(Rows *self, const Row *row, int at) {
    int64_t us = get_i64(row, at);
    uint16_t offset = get_u16(row, at + 8);
    if (us == NO_MOMENT) Py_RETURN_NONE;
    if (offset >= PyList_GET_SIZE(self->offsets)) { PyErr_SetString(PyExc_ValueError, "an unknown offset"); return NULL; }
    int64_t local = us + self->offset_us[offset];
    int64_t days = local >= 0 ? local / US_PER_DAY : -((-local + US_PER_DAY - 1) / US_PER_DAY);
    int64_t rest = local - days * US_PER_DAY;
    int year, month, day;
    civil_from_days(days, &year, &month, &day);
    return PyDateTimeAPI->DateTime_FromDateAndTime(
        year, month, day, (int)(rest / 3600000000LL), (int)(rest / 60000000 % 60), (int)(rest / 1000000 % 60),
        (int)(rest % 1000000), PyList_GET_ITEM(self->offsets, offset), PyDateTimeAPI->DateTimeType);
}

static PyObject *grade_since_of(Rows *self, const Row *row, int at) {
    PyObject *since = NULL;
    for (Py_ssize_t g = 0; g < GRADE_MOMENTS; g++) {
        if (get_i64(row, at + (int)g * 10) == NO_MOMENT) continue;
        if (since == NULL && (since = PyDict_New()) == NULL) return NULL;
        PyObject *moment = moment_of(self, row, at + (int)g * 10);
        int failed = moment == NULL || PyDict_SetItem(since, PyTuple_GET_ITEM(self->above_ordinary, g), moment) < 0;
        Py_XDECREF(moment);
        if (failed) { Py_DECREF(since); return NULL; }
    }
    return since ? since : Py_NewRef(self->no_grades);
}

/* One part of the row as the state holds it, by its kind. */
static PyObject *part_of(Rows *self, const Part *part, const Row *row, int figure) {
    switch (part->kind) {
    case KIND_INT32:
        return PyLong_FromLong(get_i32(row, part->at));
    case KIND_INT64:
        return PyLong_FromLongLong(get_i64(row, part->at));
    case KIND_FLAG:
        if (figure) return PyLong_FromLong(row[0] & part->at ? 1 : 0);
        return Py_NewRef(row[0] & part->at ? Py_True : Py_False);
    case KIND_CATEGORY:
        return Py_NewRef(PyTuple_GET_ITEM(self->categories, row[part->at]));
    case KIND_GRADE:
        return Py_NewRef(PyTuple_GET_ITEM(self->grades, row[part->at]));
    case KIND_REGION:
        return Py_NewRef(PyList_GET_ITEM(self->regions, get_i32(row, part->at)));
    case KIND_MOMENT:
    case KIND_OPTIONAL_MOMENT:
        return moment_of(self, row, part->at);
    case KIND_GRADE_MOMENTS:
        return grade_since_of(self, row, part->at);
    }
    PyErr_SetString(PyExc_SystemError, "a part of an unknown kind");
    return NULL;
}

static PyObject *state_of(Rows *self, Py_ssize_t number) {
    const Row *row = row_at(self, number);
    PyObject *args[STATE_ARGS] = {NULL};
    PyObject *result = NULL;
    Py_ssize_t length;
    const char *text = id_of(self, number, &length);
    args[0] = PyUnicode_DecodeUTF8(text, length, "strict");
    for (int i = 0; i < FIELD_COUNT; i++) args[1 + i] = part_of(self, &FIELDS[i], row, 0);
    PyObject *figures = PyTuple_New(FIGURE_COUNT);
    for (int f = 0; figures != NULL && f < FIGURE_COUNT; f++) {
        PyObject *value = part_of(self, &FIGURES[f], row, 1);
        if (value == NULL) { Py_CLEAR(figures); break; }
        PyTuple_SET_ITEM(figures, f, value);
    }
    args[1 + FIELD_COUNT] = figures;
    if (PyDict_GET_SIZE(self->rare)) {
        PyObject *key = PyLong_FromSsize_t(number);
        if (key == NULL) goto done;
        PyObject *rare = PyDict_GetItemWithError(self->rare, key);
        Py_DECREF(key);
        if (rare == NULL && PyErr_Occurred()) goto done;
        args[2 + FIELD_COUNT] = Py_NewRef(rare ? rare : self->common);
    } else {
        args[2 + FIELD_COUNT] = Py_NewRef(self->common);
    }
    for (int i = 0; i < STATE_ARGS; i++)
        if (args[i] == NULL) goto done;
    result = PyObject_Vectorcall(self->state_class, args, STATE_ARGS, NULL);
done:
    for (int i = 0; i < STATE_ARGS; i++) Py_XDECREF(args[i]);
    return result;
}
/* index[member] = its position in members: categories and grades by number. */
static int number_members(PyObject *members, PyObject *index) {
    for (Py_ssize_t n = 0; n < PyTuple_GET_SIZE(members); n++) {
        PyObject *number = PyLong_FromSsize_t(n);
        int failed = number == NULL || PyDict_SetItem(index, PyTuple_GET_ITEM(members, n), number) < 0;
        Py_XDECREF(number);
        if (failed) return -1;
    }
    return 0;
}

/* -- one month's counts: cells by (region, category, grade, apart) ------------------
 * The compiled twin of accounting/cells.py's MonthCells: a cell's counts (its records,
 * then each figure: Totals' fields) in one array, found through an open-addressing table;
 * a cell whose records fall to zero stays (a later revision may fill it again) and is
 * left out of what is read. */

#define COUNTS (1 + FIGURE_COUNT)

typedef struct {
    PyObject *region;
    int64_t count[COUNTS];
    uint8_t category, grade, apart;
} Cell;

typedef struct {
    PyObject_HEAD
    Cell *cells;
    Py_ssize_t count, capacity, live;
    /* every move and load: what a reader caching sums of the cells compares */
    unsigned long long changes;
    uint32_t *slots;
    size_t mask;
    PyObject *totals_class, *categories, *category_index, *grades, *grade_index;
} Cells;

static Py_hash_t cell_hash(Py_hash_t region, long category, long grade, long apart) {
    uint64_t h = (uint64_t)region * 0x9E3779B97F4A7C15ULL;
    h ^= (uint64_t)((category * 31 + grade) * 2 + apart + 1) * 0xC2B2AE3D27D4EB4FULL;
    return (Py_hash_t)(h ^ (h >> 31));
}

static int cells_rehash(Cells *self, size_t size) {
    uint32_t *slots = PyMem_RawCalloc(size, sizeof(uint32_t));
    if (slots == NULL) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t n = 0; n < self->count; n++) {
        Cell *c = &self->cells[n];
        Py_hash_t region = PyObject_Hash(c->region);
        if (region == -1) { PyMem_RawFree(slots); return -1; }
        size_t i = (size_t)cell_hash(region, c->category, c->grade, c->apart) & (size - 1);
        while (slots[i]) i = (i + 1) & (size - 1);
        slots[i] = (uint32_t)(n + 1);
    }
    PyMem_RawFree(self->slots);
    self->slots = slots;
    self->mask = size - 1;
    return 0;
}

/* The cell of (region, category, grade, apart), made (zero) when absent. */
static Cell *cell_of(Cells *self, PyObject *region, long category, long grade, long apart) {
    Py_hash_t region_hash = PyObject_Hash(region);
    if (region_hash == -1) return NULL;
    if (self->slots == NULL && cells_rehash(self, 64) < 0) return NULL;
    size_t i = (size_t)cell_hash(region_hash, category, grade, apart) & self->mask;
    while (self->slots[i]) {
        Cell *c = &self->cells[self->slots[i] - 1];
        if (c->category == category && c->grade == grade && c->apart == apart) {
            int same = c->region == region ? 1 : PyObject_RichCompareBool(c->region, region, Py_EQ);
            if (same < 0) return NULL;
            if (same) return c;
        }
        i = (i + 1) & self->mask;
    }
    if (!PyUnicode_Check(region)) { PyErr_SetString(PyExc_TypeError, "a region code: str"); return NULL; }
    if (self->count == self->capacity) {
        Py_ssize_t capacity = self->capacity ? self->capacity * 2 : 16;
        Cell *grown = PyMem_RawRealloc(self->cells, (size_t)capacity * sizeof(Cell));
        if (grown == NULL) { PyErr_NoMemory(); return NULL; }
        self->cells = grown;
        self->capacity = capacity;
    }
    Cell *c = &self->cells[self->count];
    memset(c, 0, sizeof(Cell));
    c->region = Py_NewRef(region);
    c->category = (uint8_t)category;
    c->grade = (uint8_t)grade;
    c->apart = (uint8_t)apart;
    self->slots[i] = (uint32_t)(++self->count);
    if ((size_t)self->count * 2 > self->mask + 1 && cells_rehash(self, (self->mask + 1) * 2) < 0) {
        return NULL;
    }
    return &self->cells[self->count - 1];
}

static int Cells_init(Cells *self, PyObject *args, PyObject *kwds) {
    static char *names[] = {"totals_class", "categories", "grades", NULL};
    PyObject *totals_class, *categories, *grades;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO!O!", names, &totals_class, &PyTuple_Type, &categories,
                                     &PyTuple_Type, &grades))
        return -1;
    if (self->totals_class != NULL) { PyErr_SetString(PyExc_RuntimeError, "already initialised"); return -1; }
    if (PyTuple_GET_SIZE(categories) > 255 || PyTuple_GET_SIZE(grades) > 255) {
        PyErr_SetString(PyExc_ValueError, "at most 255 categories and grades");
        return -1;
    }
    self->category_index = PyDict_New();
    self->grade_index = PyDict_New();
    if (!self->category_index || !self->grade_index) return -1;
    if (number_members(categories, self->category_index) < 0 || number_members(grades, self->grade_index) < 0)
        return -1;
    self->totals_class = Py_NewRef(totals_class);
    self->categories = Py_NewRef(categories);
    self->grades = Py_NewRef(grades);
    return 0;
}

static int Cells_traverse(Cells *self, visitproc visit, void *arg) {
    Py_VISIT(self->totals_class); Py_VISIT(self->categories); Py_VISIT(self->category_index);
    Py_VISIT(self->grades); Py_VISIT(self->grade_index);
    return 0;
}

static int Cells_clear(Cells *self) {
    Py_CLEAR(self->totals_class); Py_CLEAR(self->categories); Py_CLEAR(self->category_index);
    Py_CLEAR(self->grades); Py_CLEAR(self->grade_index);
    return 0;
}

static void Cells_dealloc(Cells *self) {
    PyObject_GC_UnTrack(self);
    Cells_clear(self);
    for (Py_ssize_t n = 0; n < self->count; n++) Py_DECREF(self->cells[n].region);
    PyMem_RawFree(self->cells);
    PyMem_RawFree(self->slots);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t Cells_len(Cells *self) { return self->live; }

static int64_t as_int64(PyObject *value, int *failed) {
    long long v = PyLong_AsLongLong(value);
    if (v == -1 && PyErr_Occurred()) *failed = 1;
    return (int64_t)v;
}

/* move(region, category, grade, apart, figures, sign): deposit (+1) or withdraw (-1)
 * one incident, as Totals.count does. */
static PyObject *Cells_move(Cells *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 6) { PyErr_SetString(PyExc_TypeError, "move takes 6 arguments"); return NULL; }
    if (self->totals_class == NULL) { PyErr_SetString(PyExc_RuntimeError, "Cells.__init__ was not called"); return NULL; }
    long category = index_in(self->category_index, args[1], "category");
    long grade = category < 0 ? -1 : index_in(self->grade_index, args[2], "grade");
    if (grade < 0) return NULL;
    int apart = PyObject_IsTrue(args[3]);
    if (apart < 0) return NULL;
    PyObject *figures = args[4];
    if (!PyTuple_Check(figures) || PyTuple_GET_SIZE(figures) != FIGURE_COUNT) {
        PyErr_Format(PyExc_TypeError, "figures: a tuple of %d", FIGURE_COUNT);
        return NULL;
    }
    int failed = 0;
    int64_t figure[FIGURE_COUNT], sign = as_int64(args[5], &failed);
    for (int n = 0; n < FIGURE_COUNT; n++) figure[n] = as_int64(PyTuple_GET_ITEM(figures, n), &failed);
    if (failed) return NULL;
    Cell *c = cell_of(self, args[0], category, grade, apart);
    if (c == NULL) return NULL;
    int was_live = c->count[0] != 0;
    c->count[0] += sign;
    for (int n = 0; n < FIGURE_COUNT; n++) c->count[1 + n] += sign * figure[n];
    self->live += (c->count[0] != 0) - was_live;
    self->changes++;
    Py_RETURN_NONE;
}

/* totals(): {(region, category, grade, apart): Totals} of the cells holding an incident. */
static PyObject *Cells_totals(Cells *self, PyObject *unused) {
    if (self->totals_class == NULL) { PyErr_SetString(PyExc_RuntimeError, "Cells.__init__ was not called"); return NULL; }
    PyObject *result = PyDict_New();
    if (result == NULL) return NULL;
    for (Py_ssize_t n = 0; n < self->count; n++) {
        Cell *c = &self->cells[n];
        if (c->count[0] == 0) continue;
        PyObject *values[COUNTS] = {NULL};
        int failed = 0;
        for (int f = 0; f < COUNTS && !failed; f++) failed = (values[f] = PyLong_FromLongLong(c->count[f])) == NULL;
        PyObject *totals = failed ? NULL : PyObject_Vectorcall(self->totals_class, values, COUNTS, NULL);
        for (int f = 0; f < COUNTS; f++) Py_XDECREF(values[f]);
        PyObject *key = totals == NULL ? NULL : PyTuple_Pack(4, c->region, PyTuple_GET_ITEM(self->categories, c->category),
                                                             PyTuple_GET_ITEM(self->grades, c->grade),
                                                             c->apart ? Py_True : Py_False);
        failed = key == NULL || PyDict_SetItem(result, key, totals) < 0;
        Py_XDECREF(key);
        Py_XDECREF(totals);
        if (failed) { Py_DECREF(result); return NULL; }
    }
    return result;
}

/* dump(): (regions, counts) of the live cells: what load() takes back. */
/* totals_by(region_of): totals() with each cell's region replaced by region_of[region]
 * and the cells that then meet summed (a county's into its city's or province's). */
static PyObject *Cells_totals_by(Cells *self, PyObject *region_of) {
    if (self->totals_class == NULL) { PyErr_SetString(PyExc_RuntimeError, "Cells.__init__ was not called"); return NULL; }
    if (!PyDict_Check(region_of)) { PyErr_SetString(PyExc_TypeError, "region_of: a dict"); return NULL; }
    Cells *into = (Cells *)PyObject_CallFunctionObjArgs((PyObject *)Py_TYPE(self), self->totals_class,
                                                        self->categories, self->grades, NULL);
    if (into == NULL) return NULL;
    PyObject *result = NULL;
    for (Py_ssize_t n = 0; n < self->count; n++) {
        const Cell *c = &self->cells[n];
        if (c->count[0] == 0) continue;
        PyObject *region = PyDict_GetItemWithError(region_of, c->region);
        if (region == NULL) {
            if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, c->region);
            goto done;
        }
        Cell *sum = cell_of(into, region, c->category, c->grade, c->apart);
        if (sum == NULL) goto done;
        int was_live = sum->count[0] != 0;
        for (int f = 0; f < COUNTS; f++) sum->count[f] += c->count[f];
        into->live += (sum->count[0] != 0) - was_live;
    }
    result = Cells_totals(into, NULL);
done:
    Py_DECREF(into);
    return result;
}

static PyObject *Cells_dump(Cells *self, PyObject *unused) {
    PyObject *regions = PyList_New(0);
    PyObject *data = PyBytes_FromStringAndSize(NULL, self->live * (Py_ssize_t)(3 + COUNTS * 8));
    if (regions == NULL || data == NULL) { Py_XDECREF(regions); Py_XDECREF(data); return NULL; }
    char *at = PyBytes_AS_STRING(data);
    for (Py_ssize_t n = 0; n < self->count; n++) {
        Cell *c = &self->cells[n];
        if (c->count[0] == 0) continue;
        if (PyList_Append(regions, c->region) < 0) { Py_DECREF(regions); Py_DECREF(data); return NULL; }
        at[0] = (char)c->category;
        at[1] = (char)c->grade;
        at[2] = (char)c->apart;
        memcpy(at + 3, c->count, COUNTS * 8);
        at += 3 + COUNTS * 8;
    }
    PyObject *result = PyTuple_Pack(2, regions, data);
    Py_DECREF(regions);
    Py_DECREF(data);
    return result;
}

static PyObject *Cells_load(Cells *self, PyObject *args) {
    PyObject *regions;
    Py_buffer data;
    if (self->totals_class == NULL) { PyErr_SetString(PyExc_RuntimeError, "Cells.__init__ was not called"); return NULL; }
    if (!PyArg_ParseTuple(args, "O!y*", &PyList_Type, &regions, &data)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t size = 3 + COUNTS * 8, cells = PyList_GET_SIZE(regions);
    if (self->count) { PyErr_SetString(PyExc_ValueError, "load needs empty cells"); goto done; }
    if (data.len != cells * size) { PyErr_SetString(PyExc_ValueError, "counts for another number of cells"); goto done; }
    const char *at = data.buf;
    for (Py_ssize_t n = 0; n < cells; n++, at += size) {
        int64_t count[COUNTS];
        memcpy(count, at + 3, COUNTS * 8);
        if ((uint8_t)at[0] >= PyTuple_GET_SIZE(self->categories) || (uint8_t)at[1] >= PyTuple_GET_SIZE(self->grades)
            || (uint8_t)at[2] > 1 || count[0] == 0) {
            PyErr_SetString(PyExc_ValueError, "a cell of an unknown category, grade or standing, or of no incident");
            goto done;
        }
        Cell *c = cell_of(self, PyList_GET_ITEM(regions, n), (uint8_t)at[0], (uint8_t)at[1], (uint8_t)at[2]);
        if (c == NULL) goto done;
        if (c->count[0] != 0) { PyErr_SetString(PyExc_ValueError, "a cell twice"); goto done; }
        memcpy(c->count, count, sizeof count);
        self->live++;
    }
    self->changes++;
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&data);
    return result;
}

static PyObject *Cells_regions(Cells *self, PyObject *unused) {
    PyObject *result = PySet_New(NULL);
    for (Py_ssize_t n = 0; result != NULL && n < self->count; n++) {
        if (self->cells[n].count[0] != 0 && PySet_Add(result, self->cells[n].region) < 0) Py_CLEAR(result);
    }
    return result;
}

static PyMethodDef Cells_methods[] = {
    {"regions", (PyCFunction)Cells_regions, METH_NOARGS, "The regions of the cells holding an incident."},
    {"move", (PyCFunction)(void (*)(void))Cells_move, METH_FASTCALL, "Deposit or withdraw one incident."},
    {"totals", (PyCFunction)Cells_totals, METH_NOARGS, "Totals of the cells holding an incident."},
    {"totals_by", (PyCFunction)Cells_totals_by, METH_O, "Totals with the regions mapped, summed where they meet."},
    {"dump", (PyCFunction)Cells_dump, METH_NOARGS, "(regions, counts) of the live cells."},
    {"load", (PyCFunction)Cells_load, METH_VARARGS, "Fill empty cells from a dump."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef Cells_members[] = {
    {"changes", T_ULONGLONG, offsetof(Cells, changes), READONLY, "Moves and loads so far: unchanged cells read back the same totals."},
    {NULL, 0, 0, 0, NULL},
};

static PySequenceMethods Cells_as_sequence = {.sq_length = (lenfunc)Cells_len};

static PyTypeObject CellsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "safetywatch.native._rows.Cells",
    .tp_basicsize = sizeof(Cells),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Cells_init,
    .tp_dealloc = (destructor)Cells_dealloc,
    .tp_traverse = (traverseproc)Cells_traverse,
    .tp_clear = (inquiry)Cells_clear,
    .tp_methods = Cells_methods,
    .tp_members = Cells_members,
    .tp_as_sequence = &Cells_as_sequence,
};


/* -- the counts the rows add up to --------------------------------------------------- */

/* Deposit (+1) or withdraw (-1) a row's figures in the cell of its month, region, category
 * and grade (fields.CELL_KEY); a row whose COUNTS_NOWHERE flag is set is in no cell. A
 * month's Cells is made when first deposited into, and dropped when it holds nothing. */
static int count_row(Rows *self, const Row *row, int64_t sign) {
    if (row[0] & COUNTS_NOWHERE_BIT) return 0;
    PyObject *month = PyLong_FromLong(get_i32(row, CELL_MONTH_AT));
    if (month == NULL) return -1;
    int result = -1;
    PyObject *cells = PyDict_GetItemWithError(self->months, month);
    if (cells != NULL) {
        Py_INCREF(cells);
    } else if (PyErr_Occurred() || sign < 0) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "withdrawing from a month with no counts");
        goto done;
    } else if ((cells = PyObject_CallNoArgs(self->month_cells)) == NULL || PyDict_SetItem(self->months, month, cells) < 0) {
        goto done;
    }
    if (!Py_IS_TYPE(cells, &CellsType)) { PyErr_SetString(PyExc_TypeError, "month_cells must make Cells"); goto done; }
    Cells *counts = (Cells *)cells;
    Cell *c = cell_of(counts, PyList_GET_ITEM(self->regions, get_i32(row, CELL_REGION_AT)),
                      row[CELL_CATEGORY_AT], row[CELL_GRADE_AT], (row[0] & CELL_APART_BIT) != 0);
    if (c == NULL) goto done;
    int was_live = c->count[0] != 0;
    c->count[0] += sign;
    for (int f = 0; f < FIGURE_COUNT; f++) {
        const Part *figure = &FIGURES[f];
        int64_t value = figure->kind == KIND_FLAG ? (row[0] & figure->at ? 1 : 0)
            : figure->kind == KIND_INT64 ? get_i64(row, figure->at) : get_i32(row, figure->at);
        c->count[1 + f] += sign * value;
    }
    counts->live += (c->count[0] != 0) - was_live;
    counts->changes++;
    result = counts->live == 0 ? PyDict_DelItem(self->months, month) : 0;
done:
    Py_XDECREF(cells);
    Py_DECREF(month);
    return result;
}

/* -- the type ---------------------------------------------------------------------- */

static int Rows_init(Rows *self, PyObject *args, PyObject *kwds) {
    static char *names[] = {"state_class", "categories", "grades", "above_ordinary", "common", "no_grades",
                            "month_cells", NULL};
    PyObject *state_class, *categories, *grades, *above_ordinary, *common, *no_grades, *month_cells;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO!O!O!OOO", names, &state_class, &PyTuple_Type, &categories,
                                     &PyTuple_Type, &grades, &PyTuple_Type, &above_ordinary, &common, &no_grades,
                                     &month_cells))
        return -1;
    if (PyTuple_GET_SIZE(above_ordinary) != GRADE_MOMENTS || PyTuple_GET_SIZE(categories) > 255 || PyTuple_GET_SIZE(grades) > 255) {
        PyErr_Format(PyExc_ValueError, "the rows hold %d grades above ordinary, at most 255 categories and grades", GRADE_MOMENTS);
        return -1;
    }
    if (self->state_class != NULL) { PyErr_SetString(PyExc_RuntimeError, "already initialised"); return -1; }
    self->category_index = PyDict_New();
    self->grade_index = PyDict_New();
    self->regions = PyList_New(0);
    self->region_index = PyDict_New();
    self->offsets = PyList_New(0);
    self->offset_index = PyDict_New();
    self->rare = PyDict_New();
    self->months = PyDict_New();
    if (!self->category_index || !self->grade_index || !self->regions || !self->region_index
        || !self->offsets || !self->offset_index || !self->rare || !self->months)
        return -1;
    if (PyList_Append(self->offsets, PyDateTime_TimeZone_UTC) < 0 || keep_offset_us(self, 0, 0) < 0)
        return -1; /* 0: no moment */
    self->names[0] = PyUnicode_InternFromString("incident_id");
    for (int i = 0; i < FIELD_COUNT; i++) self->names[1 + i] = PyUnicode_InternFromString(FIELDS[i].name);
    self->names[1 + FIELD_COUNT] = PyUnicode_InternFromString("figures");
    self->names[2 + FIELD_COUNT] = PyUnicode_InternFromString("rare");
    for (int i = 0; i < STATE_ARGS; i++)
        if (self->names[i] == NULL) return -1;
    if (find_slots(self, state_class) < 0) return -1;
    if (number_members(categories, self->category_index) < 0 || number_members(grades, self->grade_index) < 0)
        return -1;
    self->state_class = Py_NewRef(state_class);
    self->categories = Py_NewRef(categories);
    self->grades = Py_NewRef(grades);
    self->above_ordinary = Py_NewRef(above_ordinary);
    self->common = Py_NewRef(common);
    self->no_grades = Py_NewRef(no_grades);
    self->month_cells = Py_NewRef(month_cells);
    return 0;
}

static int Rows_traverse(Rows *self, visitproc visit, void *arg) {
    Py_VISIT(self->state_class); Py_VISIT(self->categories); Py_VISIT(self->category_index);
    Py_VISIT(self->grades); Py_VISIT(self->grade_index); Py_VISIT(self->above_ordinary);
    Py_VISIT(self->common); Py_VISIT(self->no_grades); Py_VISIT(self->regions);
    Py_VISIT(self->region_index); Py_VISIT(self->offsets); Py_VISIT(self->offset_index);
    Py_VISIT(self->rare); Py_VISIT(self->months); Py_VISIT(self->month_cells);
    return 0;
}

static int Rows_clear(Rows *self) {
    Py_CLEAR(self->state_class); Py_CLEAR(self->categories); Py_CLEAR(self->category_index);
    Py_CLEAR(self->grades); Py_CLEAR(self->grade_index); Py_CLEAR(self->above_ordinary);
    Py_CLEAR(self->common); Py_CLEAR(self->no_grades); Py_CLEAR(self->regions);
    Py_CLEAR(self->region_index); Py_CLEAR(self->offsets); Py_CLEAR(self->offset_index);
    Py_CLEAR(self->rare); Py_CLEAR(self->months); Py_CLEAR(self->month_cells);
    return 0;
}

static void Rows_dealloc(Rows *self) {
    PyObject_GC_UnTrack(self);
    Rows_clear(self);
    free_region(self->rows, self->rows_bytes);
    free_region(self->arena, self->arena_capacity);
    free_region(self->starts, self->starts_bytes);
    free_slots(self->slots, self->mask + 1);
    PyMem_RawFree(self->offset_us);
    for (int i = 0; i < STATE_ARGS; i++) Py_CLEAR(self->names[i]);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t Rows_len(Rows *self) { return self->count; }

static int ready(Rows *self) {
    if (self->state_class == NULL) { PyErr_SetString(PyExc_RuntimeError, "Rows.__init__ was not called"); return -1; }
    if (self->loading) { PyErr_SetString(PyExc_RuntimeError, "the table is loading: index() first"); return -1; }
    return 0;
}

static int initialised(Rows *self) {
    if (self->state_class == NULL) { PyErr_SetString(PyExc_RuntimeError, "Rows.__init__ was not called"); return -1; }
    return 0;
}

static int checked_row(Rows *self, PyObject *number, Py_ssize_t *row) {
    *row = PyLong_AsSsize_t(number);
    if (*row == -1 && PyErr_Occurred()) return -1;
    if (*row < 0 || *row >= self->count) { PyErr_Format(PyExc_IndexError, "no row %zd", *row); return -1; }
    return 0;
}

static PyObject *Rows_row_of(Rows *self, PyObject *incident_id) {
    Py_ssize_t length;
    const char *text = PyUnicode_AsUTF8AndSize(incident_id, &length);
    if (text == NULL) return NULL;
    Py_ssize_t row = find(self, text, length, hash_id(text, length), NULL);
    if (row < 0) Py_RETURN_NONE;
    return PyLong_FromSsize_t(row);
}

static PyObject *Rows_add(Rows *self, PyObject *state) {
    if (ready(self) < 0) return NULL;
    Row r[ROW_SIZE];
    PyObject *rare;
    if (row_from(self, state, r, &rare) < 0) return NULL;
    PyObject *incident_id = attribute(self, state, 0);
    Py_ssize_t length, row = -1;
    const char *text = incident_id == NULL ? NULL : PyUnicode_AsUTF8AndSize(incident_id, &length);
    if (text != NULL) row = append_id(self, text, length);
    Py_XDECREF(incident_id);
    if (row >= 0) {
        memcpy(row_at(self, row), r, ROW_SIZE);
        /* A new row has no rare entry to drop (rows are only ever taken back by a refused
         * load, which leaves the table unusable): only an uncommon one is kept. */
        if (rare != self->common && keep_rare(self, row, rare) < 0) truncate_to(self, row), row = -1;
        if (row >= 0 && count_row(self, row_at(self, row), 1) < 0) {
            keep_rare(self, row, self->common);
            truncate_to(self, row);
            row = -1;
        }
    }
    Py_DECREF(rare);
    return row < 0 ? NULL : PyLong_FromSsize_t(row);
}

static PyObject *Rows_put(Rows *self, PyObject *const *args, Py_ssize_t nargs) {
    Py_ssize_t row;
    if (nargs != 2) { PyErr_SetString(PyExc_TypeError, "put(row, state)"); return NULL; }
    if (ready(self) < 0 || checked_row(self, args[0], &row) < 0) return NULL;
    if (put_state(self, row, args[1]) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *Rows_state(Rows *self, PyObject *number) {
    Py_ssize_t row;
    if (ready(self) < 0 || checked_row(self, number, &row) < 0) return NULL;
    return state_of(self, row);
}

static PyObject *Rows_set_rare(Rows *self, PyObject *const *args, Py_ssize_t nargs) {
    Py_ssize_t row;
    if (nargs != 2) { PyErr_SetString(PyExc_TypeError, "set_rare(row, rare)"); return NULL; }
    if (ready(self) < 0 || checked_row(self, args[0], &row) < 0) return NULL;
    if (args[1] == self->common) {
        int has = PyDict_Contains(self->rare, args[0]);
        if (has < 0 || (has && PyDict_DelItem(self->rare, args[0]) < 0)) return NULL;
    } else if (PyDict_SetItem(self->rare, args[0], args[1]) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* ids_chunk(start, stop): the ids of rows [start, stop), each followed by '\n'. */
static PyObject *Rows_ids_chunk(Rows *self, PyObject *args) {
    Py_ssize_t start, stop;
    if (!PyArg_ParseTuple(args, "nn", &start, &stop)) return NULL;
    if (start < 0 || stop > self->count || start > stop) { PyErr_SetString(PyExc_IndexError, "rows out of range"); return NULL; }
    size_t first = start < self->count ? self->starts[start] : self->arena_used;
    size_t last = stop < self->count ? self->starts[stop] : self->arena_used;
    return PyBytes_FromStringAndSize(self->arena + first, (Py_ssize_t)(last - first));
}

static PyObject *Rows_rows_chunk(Rows *self, PyObject *args) {
    Py_ssize_t start, stop;
    if (!PyArg_ParseTuple(args, "nn", &start, &stop)) return NULL;
    if (start < 0 || stop > self->count || start > stop) { PyErr_SetString(PyExc_IndexError, "rows out of range"); return NULL; }
    return PyBytes_FromStringAndSize((const char *)row_at(self, start), (stop - start) * ROW_SIZE);
}

/* Whether every index in a row names a category, grade, region and offset the table
 * has: a row read from a checkpoint is never read out of bounds. */
static int row_is_known(Rows *self, const Row *row) {
    for (int i = 0; i < FIELD_COUNT; i++) {
        int at = FIELDS[i].at, moments = 1;
        switch (FIELDS[i].kind) {
        case KIND_CATEGORY:
            if (row[at] >= PyTuple_GET_SIZE(self->categories)) return 0;
            break;
        case KIND_GRADE:
            if (row[at] >= PyTuple_GET_SIZE(self->grades)) return 0;
            break;
        case KIND_REGION:
            if (get_i32(row, at) < 0 || get_i32(row, at) >= PyList_GET_SIZE(self->regions)) return 0;
            break;
        case KIND_GRADE_MOMENTS:
            moments = GRADE_MOMENTS;
            /* fall through */
        case KIND_MOMENT:
        case KIND_OPTIONAL_MOMENT:
            for (int m = 0; m < moments; m++)
                if (get_u16(row, at + m * 10 + 8) >= PyList_GET_SIZE(self->offsets)) return 0;
            break;
        default:
            break;
        }
    }
    return 1;
}

/* extend(ids, rows): rows as rows_chunk wrote them, their ids as ids_chunk did. */
static PyObject *Rows_extend(Rows *self, PyObject *args) {
    Py_buffer ids, rows;
    if (initialised(self) < 0 || !PyArg_ParseTuple(args, "y*y*", &ids, &rows)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t count = rows.len / ROW_SIZE, seen = 0;
    const char *text = ids.buf, *end = text + ids.len;
    if (rows.len % ROW_SIZE) { PyErr_SetString(PyExc_ValueError, "rows: not a whole number of rows"); goto done; }
    for (const char *at = text; at < end; at++) seen += *at == '\n';
    if (seen != count || (ids.len && end[-1] != '\n')) { PyErr_Format(PyExc_ValueError, "%zd ids for %zd rows", seen, count); goto done; }
    if (reserve(self, count, (size_t)ids.len) < 0) goto done;
    Py_ssize_t first = self->count;
    const Row *source = rows.buf;
    for (Py_ssize_t n = 0; n < count; n++) {
        const char *newline = memchr(text, '\n', (size_t)(end - text));
        Py_ssize_t length = newline - text, row;
        if (!row_is_known(self, source + (size_t)n * ROW_SIZE)) {
            PyErr_SetString(PyExc_ValueError, "a row names an unknown category, grade, region or offset");
            goto undo;
        }
        if ((row = append_id(self, text, length)) < 0) goto undo;
        memcpy(row_at(self, row), source + (size_t)n * ROW_SIZE, ROW_SIZE);
        text = newline + 1;
    }
    result = Py_NewRef(Py_None);
    goto done;
undo:
    truncate_to(self, first);
done:
    PyBuffer_Release(&ids);
    PyBuffer_Release(&rows);
    return result;
}

/* adopt(regions, offsets, rare, rows): what an empty table's rows will index into, and
 * how many rows it is about to take (room for them at once: no rehashing on the way). */
static PyObject *Rows_adopt(Rows *self, PyObject *args) {
    PyObject *regions, *offsets, *rare;
    Py_ssize_t rows;
    if (ready(self) < 0 || !PyArg_ParseTuple(args, "O!O!O!n", &PyList_Type, &regions, &PyList_Type, &offsets, &PyDict_Type, &rare, &rows))
        return NULL;
    if (self->count || PyList_GET_SIZE(self->regions) || PyList_GET_SIZE(self->offsets) != 1) {
        PyErr_SetString(PyExc_ValueError, "adopt needs an empty table");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(regions); i++) {
        PyObject *region = PyList_GET_ITEM(regions, i), *number = PyLong_FromSsize_t(i);
        int failed = number == NULL || !PyUnicode_Check(region) || PyList_Append(self->regions, region) < 0
            || PyDict_SetItem(self->region_index, region, number) < 0;
        Py_XDECREF(number);
        if (failed) { if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "a region code: str"); return NULL; }
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(offsets); i++) {
        PyObject *offset = PyList_GET_ITEM(offsets, i);
        if (!PyDelta_Check(offset) || i + 1 > 65535) { PyErr_SetString(PyExc_TypeError, "an offset: timedelta"); return NULL; }
        int zero = PyDateTime_DELTA_GET_DAYS(offset) == 0 && PyDateTime_DELTA_GET_SECONDS(offset) == 0 && PyDateTime_DELTA_GET_MICROSECONDS(offset) == 0;
        PyObject *zone = zero ? Py_NewRef(PyDateTime_TimeZone_UTC) : PyTimeZone_FromOffset(offset);
        PyObject *number = PyLong_FromSsize_t(i + 1);
        int failed = zone == NULL || number == NULL || keep_offset_us(self, i + 1, delta_us(offset)) < 0
            || PyList_Append(self->offsets, zone) < 0
            || PyDict_SetItem(self->offset_index, offset, number) < 0;
        Py_XDECREF(zone);
        Py_XDECREF(number);
        if (failed) return NULL;
    }
    self->loading = 1;
    if (PyDict_Update(self->rare, rare) < 0 || (rows > 0 && reserve(self, rows, 0) < 0)) return NULL;
    Py_RETURN_NONE;
}

/* slots(): the id slots as bytes, for a checkpoint (index() takes them back). */
static PyObject *Rows_slots(Rows *self, PyObject *unused) {
    if (ready(self) < 0) return NULL;
    if (self->slots == NULL) return PyBytes_FromStringAndSize(NULL, 0);
    return PyBytes_FromStringAndSize((const char *)self->slots, (Py_ssize_t)((self->mask + 1) * sizeof(uint64_t)));
}

/* Installs slots that slots() wrote for these very ids: read in order, where placing
 * every id again would probe a table of millions at random. Only checked for what
 * memory safety needs (rows in range, as many as there are rows); the file's checksum
 * vouches for where they sit. */
static int install_slots(Rows *self, Py_buffer *saved) {
    size_t size = (size_t)saved->len / sizeof(uint64_t);
    if ((size_t)saved->len % sizeof(uint64_t) || size < 1024 || (size & (size - 1)) || too_full(self->count, size)) {
        PyErr_SetString(PyExc_ValueError, "slots of another size");
        return -1;
    }
    uint64_t *slots = new_slots(size);
    if (slots == NULL) { PyErr_NoMemory(); return -1; }
    memcpy(slots, saved->buf, (size_t)saved->len);
    Py_ssize_t placed = 0;
    for (size_t i = 0; i < size; i++) { /* in order: no random access */
        uint64_t row = slots[i] & 0xFFFFFFFFu;
        if (slots[i] == 0) continue;
        if (row == 0 || row > (uint64_t)self->count) { placed = -1; break; }
        placed++;
    }
    if (placed != self->count) {
        free_slots(slots, size);
        PyErr_SetString(PyExc_ValueError, "slots that do not name every row once");
        return -1;
    }
    free_slots(self->slots, self->mask + 1);
    self->slots = slots;
    self->mask = size - 1;
    return 0;
}

/* index(slots): ends loading; the ids go into the slots saved with them, or (b"") are
 * placed one by one, any id twice refused. */
static PyObject *Rows_index(Rows *self, PyObject *args) {
    Py_buffer saved;
    if (initialised(self) < 0 || !PyArg_ParseTuple(args, "y*", &saved)) return NULL;
    int failed = 0;
    if (self->loading) {
        self->loading = 0;
        if (saved.len) {
            failed = install_slots(self, &saved);
        } else {
            size_t size = 1024;
            while (too_full(self->count, size)) size *= 2;
            uint64_t *slots = new_slots(size);
            if (slots == NULL) { PyErr_NoMemory(); failed = -1; }
            else { free_slots(self->slots, self->mask + 1); self->slots = slots; self->mask = size - 1; }
            for (Py_ssize_t row = 0; !failed && row < self->count; row++) { /* duplicates refused */
                Py_ssize_t length;
                size_t slot;
                const char *text = id_of(self, row, &length);
                uint64_t hash = hash_id(text, length);
                if (find(self, text, length, hash, &slot) >= 0) {
                    PyErr_SetString(PyExc_ValueError, "an incident twice in the pieces");
                    failed = -1;
                } else {
                    self->slots[slot] = slot_of(hash, row);
                }
            }
        }
        if (failed) truncate_to(self, 0);
    }
    PyBuffer_Release(&saved);
    if (failed) return NULL;
    Py_RETURN_NONE;
}

static PyObject *Rows_tables(Rows *self, void *closure) {
    if (ready(self) < 0) return NULL;
    return PyTuple_Pack(3, self->regions, self->offsets, self->rare);
}

static PyMethodDef Rows_methods[] = {
    {"row_of", (PyCFunction)Rows_row_of, METH_O, "The row of an incident id, or None."},
    {"add", (PyCFunction)Rows_add, METH_O, "A new incident's row."},
    {"put", (PyCFunction)(void (*)(void))Rows_put, METH_FASTCALL, "Write a state over its row."},
    {"state", (PyCFunction)Rows_state, METH_O, "The row as an IncidentState."},
    {"set_rare", (PyCFunction)(void (*)(void))Rows_set_rare, METH_FASTCALL, "Replace a row's Rare."},
    {"ids_chunk", (PyCFunction)Rows_ids_chunk, METH_VARARGS, "Ids of rows [start, stop)."},
    {"rows_chunk", (PyCFunction)Rows_rows_chunk, METH_VARARGS, "Rows [start, stop) as bytes."},
    {"extend", (PyCFunction)Rows_extend, METH_VARARGS, "Append chunks of ids and rows."},
    {"adopt", (PyCFunction)Rows_adopt, METH_VARARGS, "Regions, offsets, rare and room of an empty table."},
    {"slots", (PyCFunction)Rows_slots, METH_NOARGS, "The id slots as bytes."},
    {"index", (PyCFunction)Rows_index, METH_VARARGS, "End loading: install or build the id slots."},
    {NULL, NULL, 0, NULL},
};

static PyObject *Rows_get_months(Rows *self, void *closure) {
    if (initialised(self) < 0) return NULL;
    return Py_NewRef(self->months);
}

static int Rows_set_months(Rows *self, PyObject *value, void *closure) {
    if (initialised(self) < 0) return -1;
    if (value == NULL || !PyDict_Check(value)) { PyErr_SetString(PyExc_TypeError, "months: a dict"); return -1; }
    Py_SETREF(self->months, Py_NewRef(value));
    return 0;
}

static PyGetSetDef Rows_getset[] = {
    {"tables", (getter)Rows_tables, NULL, "regions, offsets and rare: what rows index into", NULL},
    {"months", (getter)Rows_get_months, (setter)Rows_set_months, "the counts the rows add up to, by month", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Rows_as_sequence = {.sq_length = (lenfunc)Rows_len};

static PyTypeObject RowsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "safetywatch.native._rows.Rows",
    .tp_basicsize = sizeof(Rows),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Rows_init,
    .tp_dealloc = (destructor)Rows_dealloc,
    .tp_traverse = (traverseproc)Rows_traverse,
    .tp_clear = (inquiry)Rows_clear,
    .tp_methods = Rows_methods,
    .tp_getset = Rows_getset,
    .tp_as_sequence = &Rows_as_sequence,
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_rows", NULL, -1, NULL};

PyMODINIT_FUNC PyInit__rows(void) {
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL) return NULL;
    if ((s_utcoffset = PyUnicode_InternFromString("utcoffset")) == NULL) return NULL;
    if (PyType_Ready(&RowsType) < 0 || PyType_Ready(&CellsType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    if (PyModule_AddObjectRef(m, "Rows", (PyObject *)&RowsType) < 0
        || PyModule_AddObjectRef(m, "Cells", (PyObject *)&CellsType) < 0
        || PyModule_AddStringConstant(m, "LAYOUT", LAYOUT) < 0
        || PyModule_AddIntConstant(m, "ROW_SIZE", ROW_SIZE) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
