/* What the redaction rules choose in one ASCII text, in C: the rules' cheap prefilters, their matches (PCRE2 JIT),
 * context words around them, overlap resolution and validation; the same result as redact.py's `_candidates` +
 * `_select` (the reference, and what non-ASCII text still takes), which tests compare on a PII-dense corpus and on
 * random compositions.
 *
 * Patterns come translated by jit.py (Python's \s spelt out): on ASCII text PCRE2 and Python's re then agree. The
 * card, IPv4 and phone validators are done here as rules.py does them (an unsure case goes to the Python one); the
 * other validators are Python callables, called for the candidates that win their overlaps. Built by setup.py
 * where a compiler is there; without it redact.py runs in Python.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

enum { VALID = 0, VALIDATE = 1, CONTEXT = 2 }; /* what a candidate still has to pass (as in redact.py) */
/* validators done here, the same as rules.py's (which they name): 0 is none, the Python one runs */
enum { NATIVE_NONE, NATIVE_CARD, NATIVE_SHORT_CARD, NATIVE_IPV4, NATIVE_PHONE, NATIVE_INTL_PHONE, NATIVE_COUNT };
enum { UNSURE = -2 }; /* a native validator that leaves the verdict to the Python one */

typedef struct {
    Py_ssize_t s, e, ms, me, seq;
    double score;
    int index, check;
    PyObject *value; /* only for remembered values (borrowed from the caller's list); else made from the text */
} Candidate;

typedef struct {
    PyObject_HEAD
    Py_ssize_t n;          /* rules */
    Py_ssize_t npatterns;  /* distinct patterns (rules may share one) */
    pcre2_code **patterns; /* [npatterns] */
    Py_ssize_t *pattern_of;  /* [n] rule -> pattern */
    int *group;            /* [n] */
    double *score, *boosted;  /* [n] */
    int *needs_context;    /* [n] */
    pcre2_code **context;  /* [n] or NULL */
    PyObject **validator;  /* [n] callable or NULL (owned) */
    int *native;           /* [n] NATIVE_*: the validator done in C */
    pcre2_code *date_start, *dotted_quad; /* rules.py's DATE_START and DOTTED_QUAD, for the phone validators */
    /* the rules' cheap prefilters (as redact.py's _CheapChecks): a rule they rule out cannot match */
    PyObject **requires;   /* [n] tuple of lower-case bytes, one of which the lower-cased text must hold (owned) */
    Py_ssize_t *min_digits, *min_length, *min_token; /* [n] */
    Py_ssize_t *gate_of;   /* [n] the rule's gate in gates, or -1 */
    pcre2_code **gates;    /* [ngates] distinct gates: a pattern that must find something first */
    Py_ssize_t ngates;
    pcre2_code *placeholder;
    double threshold;
    Py_ssize_t before, after;
    pcre2_match_data *md;  /* the GIL is held through a whole call: one is enough */
} Core;

static pcre2_code *compile_pattern(PyObject *pattern, uint32_t options) {
    if (!PyBytes_Check(pattern)) {
        PyErr_SetString(PyExc_TypeError, "patterns must be bytes");
        return NULL;
    }
    int errcode;
    PCRE2_SIZE erroffset;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)PyBytes_AS_STRING(pattern), (PCRE2_SIZE)PyBytes_GET_SIZE(pattern),
                                     options, &errcode, &erroffset, NULL);
    if (!code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(errcode, message, sizeof(message));
        PyErr_Format(PyExc_ValueError, "%s at %zu in %R", (char *)message, (size_t)erroffset, pattern);
        return NULL;
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* where it cannot, the interpreter runs it: same matches */
    return code;
}

static void Core_dealloc(Core *self) {
    for (Py_ssize_t i = 0; self->patterns && i < self->npatterns; i++)
        if (self->patterns[i]) pcre2_code_free(self->patterns[i]);
    for (Py_ssize_t i = 0; i < self->n; i++) {
        if (self->context && self->context[i]) pcre2_code_free(self->context[i]);
        if (self->validator) Py_XDECREF(self->validator[i]);
        if (self->requires) Py_XDECREF(self->requires[i]);
    }
    for (Py_ssize_t g = 0; self->gates && g < self->ngates; g++)
        if (self->gates[g]) pcre2_code_free(self->gates[g]);
    PyMem_Free(self->requires);
    PyMem_Free(self->min_digits);
    PyMem_Free(self->min_length);
    PyMem_Free(self->min_token);
    PyMem_Free(self->gate_of);
    PyMem_Free(self->gates);
    PyMem_Free(self->patterns);
    PyMem_Free(self->pattern_of);
    PyMem_Free(self->group);
    PyMem_Free(self->score);
    PyMem_Free(self->boosted);
    PyMem_Free(self->needs_context);
    PyMem_Free(self->context);
    PyMem_Free(self->validator);
    PyMem_Free(self->native);
    if (self->date_start) pcre2_code_free(self->date_start);
    if (self->dotted_quad) pcre2_code_free(self->dotted_quad);
    if (self->placeholder) pcre2_code_free(self->placeholder);
    if (self->md) pcre2_match_data_free(self->md);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Core(rules, placeholder, threshold, before, after, date_start, dotted_quad); rules: a list of (pattern bytes,
   caseless, group, score, boosted score, needs context, context pattern bytes or None, validator or None,
   requires: tuple of lower-case bytes, min digits, min length, min token, gate pattern bytes or None, native
   validator: NATIVE_*) */
static int Core_init(Core *self, PyObject *args, PyObject *kwds) {
    PyObject *rules, *placeholder, *date_start, *dotted_quad;
    if (self->patterns) {
        PyErr_SetString(PyExc_RuntimeError, "already initialised");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "O!O!dnnO!O!", &PyList_Type, &rules, &PyBytes_Type, &placeholder, &self->threshold,
                          &self->before, &self->after, &PyBytes_Type, &date_start, &PyBytes_Type, &dotted_quad))
        return -1;
    self->date_start = compile_pattern(date_start, 0);
    if (!self->date_start) return -1;
    self->dotted_quad = compile_pattern(dotted_quad, 0);
    if (!self->dotted_quad) return -1;
    Py_ssize_t n = PyList_GET_SIZE(rules), m = n ? n : 1;
    self->patterns = PyMem_Calloc(m, sizeof(pcre2_code *));
    self->pattern_of = PyMem_Calloc(m, sizeof(Py_ssize_t));
    self->group = PyMem_Calloc(m, sizeof(int));
    self->score = PyMem_Calloc(m, sizeof(double));
    self->boosted = PyMem_Calloc(m, sizeof(double));
    self->needs_context = PyMem_Calloc(m, sizeof(int));
    self->context = PyMem_Calloc(m, sizeof(pcre2_code *));
    self->validator = PyMem_Calloc(m, sizeof(PyObject *));
    self->requires = PyMem_Calloc(m, sizeof(PyObject *));
    self->native = PyMem_Calloc(m, sizeof(int));
    self->min_digits = PyMem_Calloc(m, sizeof(Py_ssize_t));
    self->min_length = PyMem_Calloc(m, sizeof(Py_ssize_t));
    self->min_token = PyMem_Calloc(m, sizeof(Py_ssize_t));
    self->gate_of = PyMem_Calloc(m, sizeof(Py_ssize_t));
    self->gates = PyMem_Calloc(m, sizeof(pcre2_code *));
    if (!self->patterns || !self->pattern_of || !self->group || !self->score || !self->boosted ||
        !self->needs_context || !self->context || !self->validator || !self->requires || !self->min_digits ||
        !self->min_length || !self->min_token || !self->gate_of || !self->gates || !self->native) {
        PyErr_NoMemory();
        return -1;
    }
    self->n = n;
    PyObject *seen = PyDict_New(); /* (pattern, caseless) -> pattern index */
    if (!seen) return -1;
    PyObject *gates = PyDict_New(); /* gate pattern -> gate index */
    if (!gates) {
        Py_DECREF(seen);
        return -1;
    }
    uint32_t widest = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *pattern, *caseless_o, *context, *validator, *requires, *gate;
        int group, needs_context;
        double score, boosted;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(rules, i), "O!Oiddp" "OO" "O!nnnO" "i", &PyBytes_Type, &pattern,
                              &caseless_o, &group, &score, &boosted, &needs_context, &context, &validator,
                              &PyTuple_Type, &requires, &self->min_digits[i], &self->min_length[i],
                              &self->min_token[i], &gate, &self->native[i]))
            goto fail;
        if (self->native[i] < 0 || self->native[i] >= NATIVE_COUNT) {
            PyErr_Format(PyExc_ValueError, "rule %zd: no native validator %d", i, self->native[i]);
            goto fail;
        }
        for (Py_ssize_t r = 0; r < PyTuple_GET_SIZE(requires); r++) {
            if (!PyBytes_Check(PyTuple_GET_ITEM(requires, r))) {
                PyErr_SetString(PyExc_TypeError, "requires must be bytes");
                goto fail;
            }
        }
        self->requires[i] = Py_NewRef(requires);
        self->gate_of[i] = -1;
        if (gate != Py_None) {
            PyObject *g = PyDict_GetItemWithError(gates, gate);
            if (g) {
                self->gate_of[i] = PyLong_AsSsize_t(g);
            } else if (PyErr_Occurred()) {
                goto fail;
            } else {
                Py_ssize_t k = self->ngates;
                self->gates[k] = compile_pattern(gate, 0);
                if (!self->gates[k]) goto fail;
                self->ngates++;
                self->gate_of[i] = k;
                PyObject *index = PyLong_FromSsize_t(k);
                int rc = index ? PyDict_SetItem(gates, gate, index) : -1;
                Py_XDECREF(index);
                if (rc < 0) goto fail;
            }
        }
        int caseless = PyObject_IsTrue(caseless_o);
        if (caseless < 0) goto fail;
        PyObject *key = Py_BuildValue("(Oi)", pattern, caseless);
        if (!key) goto fail;
        PyObject *known = PyDict_GetItemWithError(seen, key);
        if (known) {
            self->pattern_of[i] = PyLong_AsSsize_t(known);
        } else if (PyErr_Occurred()) {
            Py_DECREF(key);
            goto fail;
        } else {
            Py_ssize_t p = self->npatterns;
            self->patterns[p] = compile_pattern(pattern, caseless ? PCRE2_CASELESS : 0);
            if (!self->patterns[p]) {
                Py_DECREF(key);
                goto fail;
            }
            self->npatterns++;
            self->pattern_of[i] = p;
            PyObject *index = PyLong_FromSsize_t(p);
            int rc = index ? PyDict_SetItem(seen, key, index) : -1;
            Py_XDECREF(index);
            if (rc < 0) {
                Py_DECREF(key);
                goto fail;
            }
        }
        Py_DECREF(key);
        uint32_t captures = 0;
        pcre2_pattern_info(self->patterns[self->pattern_of[i]], PCRE2_INFO_CAPTURECOUNT, &captures);
        if (group < 0 || (uint32_t)group > captures) {
            PyErr_Format(PyExc_ValueError, "rule %zd has no group %d", i, group);
            goto fail;
        }
        if (captures + 1 > widest) widest = captures + 1;
        self->group[i] = group;
        self->score[i] = score;
        self->boosted[i] = boosted;
        self->needs_context[i] = needs_context;
        if (context != Py_None) {
            self->context[i] = compile_pattern(context, PCRE2_CASELESS);
            if (!self->context[i]) goto fail;
        }
        if (validator != Py_None) self->validator[i] = Py_NewRef(validator);
    }
    Py_DECREF(seen);
    Py_DECREF(gates);
    self->placeholder = compile_pattern(placeholder, 0);
    if (!self->placeholder) return -1;
    self->md = pcre2_match_data_create(widest, NULL);
    if (!self->md) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
fail:
    Py_DECREF(seen);
    Py_DECREF(gates);
    return -1;
}

typedef struct {
    Candidate *items;
    Py_ssize_t len, cap;
} Candidates;

/* Room for one more item in a growing array (*items of *cap items of size bytes, len used); -1 on no memory. */
static int make_room(void **items, Py_ssize_t *cap, Py_ssize_t len, size_t size) {
    if (len < *cap) return 0;
    Py_ssize_t grown = *cap ? *cap * 2 : 32;
    void *moved = PyMem_Realloc(*items, (size_t)grown * size);
    if (!moved) {
        PyErr_NoMemory();
        return -1;
    }
    *items = moved;
    *cap = grown;
    return 0;
}

static int push(Candidates *c, Candidate item) {
    if (make_room((void **)&c->items, &c->cap, c->len, sizeof(Candidate)) < 0) return -1;
    item.seq = c->len;
    c->items[c->len++] = item;
    return 0;
}

/* 1 when code finds a match in data[pos:endpos] (lookbehind may look before pos; nothing past endpos counts, as
   Python's pattern.search(text, pos, endpos)), 0 when not, -1 when PCRE2 gave up. */
static int search(Core *self, pcre2_code *code, const char *data, Py_ssize_t length, Py_ssize_t pos,
                  Py_ssize_t endpos) {
    if (pos < 0) pos = 0;
    if (endpos > length) endpos = length;
    if (pos > endpos) return 0;
    int rc = pcre2_match(code, (PCRE2_SPTR)data, (PCRE2_SIZE)endpos, (PCRE2_SIZE)pos, 0, self->md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    return rc < 0 ? -1 : 1;
}

static int has_context(Core *self, int rule, const char *data, Py_ssize_t length, Py_ssize_t ms, Py_ssize_t me) {
    int found = search(self, self->context[rule], data, length, ms - self->before, ms);
    if (found) return found;
    return search(self, self->context[rule], data, length, me, me + self->after);
}

static int by_precedence(const void *a, const void *b) {
    /* longest first, then the higher score, the earlier start, the rule order, the order found (a stable sort) */
    const Candidate *x = a, *y = b;
    Py_ssize_t lx = x->e - x->s, ly = y->e - y->s;
    if (lx != ly) return lx > ly ? -1 : 1;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    if (x->s != y->s) return x->s < y->s ? -1 : 1;
    if (x->index != y->index) return x->index < y->index ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static int by_start(const void *a, const void *b) {
    const Candidate *x = a, *y = b;
    return x->s < y->s ? -1 : (x->s > y->s);
}

typedef struct {
    Py_ssize_t ms, me, s, e; /* a match, and the span of the rule's group in it (-1, -1: the group took no part) */
} Span;

typedef struct {
    Span *items;
    Py_ssize_t len, cap;
    Py_ssize_t *first, *count; /* [npatterns]: where a pattern's spans start in items, how many (-1: not scanned) */
    int *group;                /* [npatterns]: the group those spans were taken for */
} Spans;

/* The matches of rule's pattern in data, scanned once per text for the rules that share a pattern; 1 when PCRE2
   gave up on this text, -1 on a memory error. */
static int spans_of(Core *self, int rule, const char *data, Py_ssize_t length, Spans *spans) {
    Py_ssize_t p = self->pattern_of[rule];
    int group = self->group[rule];
    if (spans->count[p] >= 0 && spans->group[p] == group) return 0;
    spans->first[p] = spans->len;
    spans->group[p] = group;
    pcre2_code *code = self->patterns[p];
    PCRE2_SIZE offset = 0;
    uint32_t options = 0;
    while (offset <= (PCRE2_SIZE)length) {
        int rc = pcre2_match(code, (PCRE2_SPTR)data, (PCRE2_SIZE)length, offset, options, self->md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) return 1;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(self->md);
        if (ov[1] == ov[0]) { /* no candidate; the next match may not be empty at the same place, as with re */
            if (ov[1] >= (PCRE2_SIZE)length) break;
            options = PCRE2_NOTEMPTY_ATSTART;
            offset = ov[1];
            continue;
        }
        Span span = {(Py_ssize_t)ov[0], (Py_ssize_t)ov[1], (Py_ssize_t)ov[0], (Py_ssize_t)ov[1]};
        if (group) {
            int set = group < rc && ov[2 * group] != PCRE2_UNSET;
            span.s = set ? (Py_ssize_t)ov[2 * group] : -1;
            span.e = set ? (Py_ssize_t)ov[2 * group + 1] : -1;
        }
        options = 0;
        offset = ov[1];
        if (make_room((void **)&spans->items, &spans->cap, spans->len, sizeof(Span)) < 0) return -1;
        spans->items[spans->len++] = span;
    }
    spans->count[p] = spans->len - spans->first[p];
    return 0;
}

/* The candidates of one rule; 1 when PCRE2 gave up on this text, -1 on a memory error. */
static int scan_rule(Core *self, int rule, const char *data, Py_ssize_t length, Spans *spans, Candidates *out) {
    int needs = self->needs_context[rule];
    if (needs && self->boosted[rule] < self->threshold) return 0; /* it could never count */
    int rc = spans_of(self, rule, data, length, spans);
    if (rc) return rc;
    Py_ssize_t p = self->pattern_of[rule];
    for (Py_ssize_t k = spans->first[p]; k < spans->first[p] + spans->count[p]; k++) {
        Span m = spans->items[k];
        if (m.s < 0 || m.s >= m.e) continue;
        Candidate c = {.s = m.s, .e = m.e, .ms = m.ms, .me = m.me, .index = rule, .value = NULL};
        if (needs) {
            c.score = self->boosted[rule];
            c.check = CONTEXT;
        } else {
            double score = self->score[rule];
            if (self->context[rule]) {
                int found = has_context(self, rule, data, length, m.ms, m.me);
                if (found < 0) return 1;
                if (found) score = self->boosted[rule];
            }
            if (score < self->threshold) continue;
            c.score = score;
            c.check = VALIDATE;
        }
        if (push(out, c) < 0) return -1;
    }
    return 0;
}

/* What a text's cheap prefilters need, each worked out once, when first needed. */
typedef struct {
    Py_ssize_t digits;     /* ASCII digits */
    char *lower;           /* the text lower-cased, or NULL */
    Py_ssize_t token_run;  /* the longest run of [A-Za-z0-9+/=_-], or -1 */
    signed char *gate;     /* [ngates] -1 not searched yet, 0 nothing found, 1 found */
} Facts;

/* Whether needle occurs in haystack: glibc's memmem where there is one, else a plain search (the needles are a few
   bytes). */
static int contains(const char *haystack, Py_ssize_t length, const char *needle, Py_ssize_t size) {
#if defined(__GLIBC__)
    return memmem(haystack, (size_t)length, needle, (size_t)size) != NULL;
#else
    if (size == 0) return 1;
    for (Py_ssize_t k = 0; k + size <= length; k++) {
        const char *at = memchr(haystack + k, needle[0], (size_t)(length - size - k + 1));
        if (!at) return 0;
        k = at - haystack;
        if (memcmp(at, needle, (size_t)size) == 0) return 1;
    }
    return 0;
#endif
}

static int is_token(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '+' ||
           ch == '/' || ch == '=' || ch == '_' || ch == '-';
}

/* 1 when the rule's cheap prefilters let it through (it may match), 0 when they rule it out, -1 on no memory. */
static int may_match(Core *self, Py_ssize_t rule, const char *data, Py_ssize_t length, Facts *facts) {
    if (facts->digits < self->min_digits[rule] || length < self->min_length[rule]) return 0;
    PyObject *requires = self->requires[rule];
    if (PyTuple_GET_SIZE(requires)) {
        if (!facts->lower) {
            facts->lower = PyMem_Malloc(length ? (size_t)length : 1);
            if (!facts->lower) {
                PyErr_NoMemory();
                return -1;
            }
            for (Py_ssize_t k = 0; k < length; k++) {
                char ch = data[k];
                facts->lower[k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
            }
        }
        int any = 0;
        for (Py_ssize_t r = 0; r < PyTuple_GET_SIZE(requires) && !any; r++) {
            PyObject *needle = PyTuple_GET_ITEM(requires, r);
            any = contains(facts->lower, length, PyBytes_AS_STRING(needle), PyBytes_GET_SIZE(needle));
        }
        if (!any) return 0;
    }
    if (self->min_token[rule]) {
        if (facts->token_run < 0) {
            Py_ssize_t run = 0, longest = 0;
            for (Py_ssize_t k = 0; k < length; k++) {
                run = is_token(data[k]) ? run + 1 : 0;
                if (run > longest) longest = run;
            }
            facts->token_run = longest;
        }
        if (facts->token_run < self->min_token[rule]) return 0;
    }
    Py_ssize_t g = self->gate_of[rule];
    if (g >= 0) {
        if (facts->gate[g] < 0) {
            int found = search(self, self->gates[g], data, length, 0, length);
            facts->gate[g] = found != 0; /* PCRE2 giving up lets the rule run: its own scan decides */
        }
        return facts->gate[g];
    }
    return 1;
}

/* --- validators in C (rules.py has the reference of each; values here are ASCII) --- */

static int is_space(char ch) { /* Python's \s on ASCII */
    return ch == ' ' || (ch >= '\t' && ch <= '\r') || (ch >= '\x1c' && ch <= '\x1f');
}

/* The ASCII digits of s[0:n] into out (n bytes of room); their count. */
static Py_ssize_t digits_into(const char *s, Py_ssize_t n, char *out) {
    Py_ssize_t count = 0;
    for (Py_ssize_t k = 0; k < n; k++)
        if (s[k] >= '0' && s[k] <= '9') out[count++] = s[k];
    return count;
}

static int luhn_digits_ok(const char *d, Py_ssize_t n) {
    if (n < 12 || n > 19) return 0;
    int same = 1;
    for (Py_ssize_t k = 1; k < n && same; k++) same = d[k] == d[0];
    if (same) return 0;
    int total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i % 2) v = v > 4 ? v * 2 - 9 : v * 2;
        total += v;
    }
    return total % 10 == 0;
}

static int card_ok(const char *v, Py_ssize_t n, char *digits) {
    Py_ssize_t count = digits_into(v, n, digits);
    if (count < 13 || count > 19) return 0;
    if (memchr(v, ' ', (size_t)n) && memchr(v, '-', (size_t)n)) return 0;
    return luhn_digits_ok(digits, count);
}

static int short_card_ok(const char *v, Py_ssize_t n, char *digits) {
    Py_ssize_t count = digits_into(v, n, digits);
    if (count != 12) return 0;
    int prefix = (digits[0] - '0') * 10 + (digits[1] - '0');
    return (prefix == 50 || (prefix >= 56 && prefix <= 69)) && luhn_digits_ok(digits, count);
}

static int ipv4_ok(const char *v, Py_ssize_t n) {
    int parts = 0;
    Py_ssize_t start = 0;
    for (Py_ssize_t k = 0; k <= n; k++) {
        if (k < n && v[k] != '.') continue;
        Py_ssize_t len = k - start;
        if (++parts > 4) return 0;
        if (len > 3) return 0;
        if (len == 0) return UNSURE; /* int("") raises in Python: let it */
        int value = 0;
        for (Py_ssize_t j = start; j < k; j++) {
            if (v[j] < '0' || v[j] > '9') return UNSURE;
            value = value * 10 + (v[j] - '0');
        }
        if (value > 255 || (len > 1 && v[start] == '0')) return 0;
        start = k + 1;
    }
    return parts == 4;
}

/* rules.py's _phone_digits: how many digits the number has without its extension, or -1 when it is not one. */
static Py_ssize_t phone_digits(Core *self, const char *v, Py_ssize_t n, char *lower, char *digits) {
    for (Py_ssize_t k = 0; k < n; k++) lower[k] = (v[k] >= 'A' && v[k] <= 'Z') ? (char)(v[k] + 32) : v[k];
    Py_ssize_t main = n; /* where \s*(?:x|ext\.?)\s* first matches: the extension and the space before it */
    for (Py_ssize_t k = 0; k < n; k++) {
        if (lower[k] == 'x' || (lower[k] == 'e' && k + 2 < n && lower[k + 1] == 'x' && lower[k + 2] == 't')) {
            main = k;
            while (main > 0 && is_space(lower[main - 1])) main--;
            break;
        }
    }
    Py_ssize_t count = digits_into(lower, main, digits);
    if (count < 7 || count > 15) return -1;
    int rc = pcre2_match(self->date_start, (PCRE2_SPTR)lower, (PCRE2_SIZE)main, 0, PCRE2_ANCHORED, self->md, NULL);
    if (rc >= 0) return -1;
    if (rc != PCRE2_ERROR_NOMATCH) return -2;
    rc = pcre2_match(self->dotted_quad, (PCRE2_SPTR)lower, (PCRE2_SIZE)main, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED,
                     self->md, NULL);
    if (rc >= 0) return -1;
    if (rc != PCRE2_ERROR_NOMATCH) return -2;
    if (count == main && digits[0] == '1' && (count == 10 || count == 13)) return -1; /* epoch seconds / ms */
    return count;
}

/* The verdict of rule's native validator on v[0:n]: 1, 0, or UNSURE (then the Python validator decides); -1 on no
   memory. */
static int native_verdict(Core *self, int rule, const char *v, Py_ssize_t n) {
    char *room = PyMem_Malloc(2 * (size_t)(n ? n : 1));
    if (!room) {
        PyErr_NoMemory();
        return -1;
    }
    int verdict = UNSURE;
    switch (self->native[rule]) {
    case NATIVE_CARD: verdict = card_ok(v, n, room); break;
    case NATIVE_SHORT_CARD: verdict = short_card_ok(v, n, room); break;
    case NATIVE_IPV4: verdict = ipv4_ok(v, n); break;
    case NATIVE_PHONE:
    case NATIVE_INTL_PHONE: {
        Py_ssize_t count = phone_digits(self, v, n, room, room + n);
        if (count == -2) break;
        verdict = count >= (self->native[rule] == NATIVE_PHONE ? 7 : 8);
        break;
    }
    }
    PyMem_Free(room);
    return verdict;
}

/* choose(data: bytes, rules: list[int] or None, known: list[(start, end, score, index, value)]) -> tuple of
   (start, end, score, index, value), in text order; None when PCRE2 gave up on the text (then Python's re redoes
   it). rules: the rules to run, or None for every rule its cheap prefilters let through. */
static PyObject *Core_choose(Core *self, PyObject *args) {
    const char *data;
    Py_ssize_t length;
    PyObject *which, *known;
    if (!self->md) {
        PyErr_SetString(PyExc_RuntimeError, "not initialised");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "y#OO!", &data, &length, &which, &PyList_Type, &known)) return NULL;
    if (which != Py_None && !PyList_Check(which)) {
        PyErr_SetString(PyExc_TypeError, "rules must be a list or None");
        return NULL;
    }
    Candidates found = {0}, taken = {0};
    Spans spans = {0};
    Facts facts = {.token_run = -1};
    PyObject *out = NULL;
    int gave_up = 0;
    Py_ssize_t nwhich = which == Py_None ? self->n : PyList_GET_SIZE(which), np = self->npatterns ? self->npatterns : 1;
    if (which == Py_None) {
        facts.gate = PyMem_Malloc(self->ngates ? (size_t)self->ngates : 1);
        if (!facts.gate) {
            PyErr_NoMemory();
            goto done;
        }
        memset(facts.gate, -1, self->ngates ? (size_t)self->ngates : 1);
        for (Py_ssize_t k = 0; k < length; k++) facts.digits += data[k] >= '0' && data[k] <= '9';
    }
    spans.first = PyMem_Malloc(np * sizeof(Py_ssize_t));
    spans.count = PyMem_Malloc(np * sizeof(Py_ssize_t));
    spans.group = PyMem_Malloc(np * sizeof(int));
    if (!spans.first || !spans.count || !spans.group) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t p = 0; p < np; p++) spans.count[p] = -1;
    for (Py_ssize_t k = 0; k < nwhich; k++) {
        Py_ssize_t rule = which == Py_None ? k : PyLong_AsSsize_t(PyList_GET_ITEM(which, k));
        if (rule < 0 || rule >= self->n) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "no such rule");
            goto done;
        }
        if (which == Py_None) {
            int may = may_match(self, rule, data, length, &facts);
            if (may < 0) goto done;
            if (!may) continue;
        }
        int rc = scan_rule(self, (int)rule, data, length, &spans, &found);
        if (rc < 0) goto done;
        if (rc > 0) {
            gave_up = 1;
            goto done;
        }
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(known); k++) {
        Candidate c = {.check = VALID};
        PyObject *value;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(known, k), "nndiO", &c.s, &c.e, &c.score, &c.index, &value)) goto done;
        c.ms = c.s;
        c.me = c.e;
        c.value = value;
        if (push(&found, c) < 0) goto done;
    }
    if (found.len == 0) {
        out = PyTuple_New(0);
        goto done;
    }
    if (memchr(data, '<', (size_t)length)) { /* placeholders already there are taken */
        PCRE2_SIZE offset = 0;
        while (offset < (PCRE2_SIZE)length) {
            int rc = pcre2_match(self->placeholder, (PCRE2_SPTR)data, (PCRE2_SIZE)length, offset, 0, self->md, NULL);
            if (rc == PCRE2_ERROR_NOMATCH) break;
            if (rc < 0) {
                gave_up = 1;
                goto done;
            }
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(self->md);
            Candidate t = {.s = (Py_ssize_t)ov[0], .e = (Py_ssize_t)ov[1]};
            if (push(&taken, t) < 0) goto done;
            offset = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        }
    }
    Py_ssize_t placeholders = taken.len;
    qsort(found.items, (size_t)found.len, sizeof(Candidate), by_precedence);
    for (Py_ssize_t k = 0; k < found.len; k++) {
        Candidate *c = &found.items[k];
        int overlaps = 0;
        for (Py_ssize_t t = 0; t < taken.len && !overlaps; t++)
            overlaps = c->s < taken.items[t].e && taken.items[t].s < c->e;
        if (overlaps) continue;
        if (c->check == CONTEXT) {
            int ok = has_context(self, c->index, data, length, c->ms, c->me);
            if (ok < 0) {
                gave_up = 1;
                goto done;
            }
            if (!ok) continue;
        }
        if (c->check != VALID && self->native[c->index]) {
            int verdict = native_verdict(self, c->index, data + c->s, c->e - c->s);
            if (verdict == -1) goto done;
            if (verdict == 0) continue;
            if (verdict == 1) goto valid;
        }
        if (c->check != VALID && self->validator[c->index]) {
            PyObject *value = PyUnicode_DecodeASCII(data + c->s, c->e - c->s, NULL);
            if (!value) goto done;
            PyObject *verdict = PyObject_CallOneArg(self->validator[c->index], value);
            Py_DECREF(value);
            if (!verdict) goto done;
            int ok = PyObject_IsTrue(verdict);
            Py_DECREF(verdict);
            if (ok < 0) goto done;
            if (!ok) continue;
        }
    valid:;
        Candidate won = *c;
        if (push(&taken, won) < 0) goto done;
    }
    Py_ssize_t nchosen = taken.len - placeholders;
    Candidate *chosen = taken.items + placeholders;
    qsort(chosen, (size_t)nchosen, sizeof(Candidate), by_start);
    out = PyTuple_New(nchosen);
    if (!out) goto done;
    for (Py_ssize_t k = 0; k < nchosen; k++) {
        Candidate *c = &chosen[k];
        PyObject *value = c->value ? Py_NewRef(c->value) : PyUnicode_DecodeASCII(data + c->s, c->e - c->s, NULL);
        PyObject *item = value ? Py_BuildValue("(nndiN)", c->s, c->e, c->score, c->index, value) : NULL;
        if (!item) {
            Py_CLEAR(out);
            goto done;
        }
        PyTuple_SET_ITEM(out, k, item);
    }
done:
    PyMem_Free(facts.lower);
    PyMem_Free(facts.gate);
    PyMem_Free(spans.items);
    PyMem_Free(spans.first);
    PyMem_Free(spans.count);
    PyMem_Free(spans.group);
    PyMem_Free(found.items);
    PyMem_Free(taken.items);
    if (gave_up && !out && !PyErr_Occurred()) return Py_NewRef(Py_None);
    return out;
}

static PyMethodDef Core_methods[] = {
    {"choose", (PyCFunction)Core_choose, METH_VARARGS,
     "choose(data, rules, known): the values to replace in ASCII data as (start, end, score, rule index, value), "
     "in text order; None where PCRE2 gave up on the text"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CoreType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "python_assets.privacy._core.Core",
    .tp_basicsize = sizeof(Core),
    .tp_dealloc = (destructor)Core_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Core(rules, placeholder, threshold, before, after): the redaction rules compiled for choose()",
    .tp_methods = Core_methods,
    .tp_init = (initproc)Core_init,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT, "_core", "What the redaction rules choose in an ASCII text, in C (see _core.c)", -1, NULL,
};

PyMODINIT_FUNC PyInit__core(void) {
    if (PyType_Ready(&CoreType) < 0) return NULL;
    PyObject *module = PyModule_Create(&core_module);
    if (!module) return NULL;
    if (PyModule_AddObjectRef(module, "Core", (PyObject *)&CoreType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
