/* Text processing: generate a pseudo-random text of words, numbers and
 * punctuation, then in each of ITERS rounds (1) run it through a
 * table-free lexer state machine that classifies tokens as identifier,
 * integer, decimal, exponent number or other, (2) count word frequencies in
 * a small open-addressing hash table keyed by FNV-1a, and (3) reverse every
 * word in place and back again.  Self-checks: the text is unchanged after
 * the double reversal, and the token count equals the sum of the counts
 * per class. */
#if !defined(TEXT_SIZE) && !defined(ITERS)
#define EXPECT_CHECKSUM 0x959d7520u   /* host value for the default sizes */
#endif
#ifndef TEXT_SIZE
#define TEXT_SIZE 32768
#endif
#ifndef ITERS
#define ITERS 2200
#endif

/* After the sizes: bench.h falls back to "no reference" without EXPECT_CHECKSUM. */
#include "bench.h"

static char text[TEXT_SIZE + 1];
static char copy[TEXT_SIZE + 1];

enum token { T_IDENT, T_INT, T_DECIMAL, T_EXP, T_OTHER, T_COUNT };

static const char *const syllables[] = {
    "ka", "ri", "to", "sil", "ic", "a", "mo", "ne", "ver", "qu", "x", "zo",
};

static void make_text(uint32_t *seed)
{
    size_t n = 0;
    while (n + 24 < TEXT_SIZE) {
        uint32_t r = bench_rand(seed);
        switch (r % 8) {
        case 0:     /* an integer */
            for (uint32_t d = 1 + (r >> 8) % 6; d--;)
                text[n++] = (char)('0' + bench_rand(seed) % 10);
            break;
        case 1:     /* a decimal or exponent number, sometimes malformed */
            text[n++] = (char)('1' + (r >> 8) % 9);
            text[n++] = '.';
            text[n++] = (char)('0' + (r >> 12) % 10);
            if (r & 0x10000) {
                text[n++] = 'e';
                if (r & 0x20000)
                    text[n++] = '-';
                if (r & 0x40000)
                    text[n++] = (char)('0' + (r >> 20) % 10);
            }
            break;
        case 2:     /* punctuation */
            text[n++] = ",.;:!?()"[(r >> 8) % 8];
            break;
        default:    /* a word of 1-3 syllables, maybe capitalised */
            for (uint32_t s = 1 + (r >> 8) % 3; s--;) {
                const char *syl = syllables[bench_rand(seed) % 12];
                while (*syl)
                    text[n++] = *syl++;
            }
            if (r & 0x100000)
                text[n - 1] = (char)(text[n - 1] - 'a' + 'A');
            break;
        }
        text[n++] = (r & 0x3000000) ? ' ' : '\n';
    }
    text[n] = 0;
}

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Classify the token starting at *p and advance past it.  A little DFA:
 * digits [ '.' digits [ 'e' ['-'] digits ] ]; anything cut short is T_OTHER. */
static enum token lex(const char **p)
{
    const char *s = *p;
    enum token t;
    if (is_alpha(*s)) {
        while (is_alpha(*s) || is_digit(*s))
            s++;
        t = T_IDENT;
    } else if (is_digit(*s)) {
        enum { INT, DOT, FRAC, E, ESIGN, EXP, BAD } st = INT;
        for (;; s++) {
            char c = *s;
            if (st == INT && is_digit(c)) continue;
            if (st == INT && c == '.') { st = DOT; continue; }
            if ((st == DOT || st == FRAC) && is_digit(c)) { st = FRAC; continue; }
            if (st == FRAC && c == 'e') { st = E; continue; }
            if (st == E && c == '-') { st = ESIGN; continue; }
            if ((st == E || st == ESIGN || st == EXP) && is_digit(c)) { st = EXP; continue; }
            if (st == DOT || st == E || st == ESIGN) st = BAD;
            break;
        }
        t = st == INT ? T_INT : st == FRAC ? T_DECIMAL : st == EXP ? T_EXP : T_OTHER;
    } else {
        s++;
        t = T_OTHER;
    }
    *p = s;
    return t;
}

/* Power of two, well above the number of distinct words (12 + 12^2 + 12^3
 * spellings, each maybe capitalised: under 3800). */
#define HASH_SIZE 8192
static struct { uint32_t hash, count; } words[HASH_SIZE];

static uint32_t count_word(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    h |= 1;                         /* 0 marks an empty slot */
    for (uint32_t i = 0; i < HASH_SIZE; i++) {
        uint32_t slot = (h + i) & (HASH_SIZE - 1);
        if (words[slot].hash == h || words[slot].hash == 0) {
            words[slot].hash = h;
            return ++words[slot].count;
        }
    }
    return 0;                       /* table full: cannot happen, see above */
}

static void reverse_words(char *s)
{
    while (*s) {
        while (*s && !is_alpha(*s))
            s++;
        char *b = s;
        while (is_alpha(*s))
            s++;
        for (char *e = s - 1; b < e; b++, e--) {
            char t = *b;
            *b = *e;
            *e = t;
        }
    }
}

int main(void)
{
    uint32_t seed = 0x7E577E57u;
    make_text(&seed);
    for (size_t i = 0; i <= TEXT_SIZE; i++)
        copy[i] = text[i];

    int ok = 1;
    uint32_t sum = 2166136261u;
    for (int it = 0; it < ITERS; it++) {
        uint32_t classes[T_COUNT] = {0}, tokens = 0, maxcount = 0;
        for (int i = 0; i < HASH_SIZE; i++)
            words[i].hash = words[i].count = 0;
        for (const char *p = text; *p;) {
            while (*p == ' ' || *p == '\n')
                p++;
            if (!*p)
                break;
            const char *start = p;
            enum token t = lex(&p);
            classes[t]++;
            tokens++;
            if (t == T_IDENT) {
                uint32_t c = count_word(start, (size_t)(p - start));
                if (c > maxcount)
                    maxcount = c;
            }
        }
        reverse_words(text);
        reverse_words(text);
        for (size_t i = 0; i <= TEXT_SIZE; i++)
            ok &= text[i] == copy[i];
        uint32_t by_class = 0;
        for (int c = 0; c < T_COUNT; c++) {
            by_class += classes[c];
            sum = bench_mix(sum, classes[c]);
        }
        ok &= by_class == tokens;
        sum = bench_mix(sum, maxcount);
        /* Change one character per round so rounds differ. */
        uint32_t at = bench_rand(&seed) % (TEXT_SIZE / 2);
        text[at] = copy[at] = (char)('a' + it % 26);
    }
    return bench_finish("text", sum, EXPECT_CHECKSUM, ok);
}
