/* State machine: generate a buffer of pseudo-random comma-separated tokens
 * -- integers, signed integers, decimals, numbers in scientific notation
 * and malformed ones -- and in each of ITERS rounds scan it byte by byte
 * with a switch-based state machine that classifies every token, counts the
 * bytes each state consumes and adds up the values of the integer tokens.
 * Between rounds a few bytes of the buffer are overwritten (never with or
 * over a comma) and the previous round's changes undone, so the rounds
 * differ but the number of tokens and the mix of classes stay put.
 * Self-checks: a known short string gives the expected classes, state
 * counts and integer sum; in the first round every class has exactly as
 * many tokens as the generator wrote of it; in every round the classes add
 * up to the number of tokens generated and the state counts to the number
 * of bytes scanned; at the end, with the last changes undone, the buffer
 * is as generated. */
#if !defined(BUF_SIZE) && !defined(MUTATIONS) && !defined(ITERS)
#define EXPECT_CHECKSUM 0x683456beu   /* host value for the default sizes */
#endif
#ifndef BUF_SIZE
#define BUF_SIZE 32768
#endif
#ifndef MUTATIONS
#define MUTATIONS 4
#endif
#ifndef ITERS
#define ITERS 5800
#endif

/* After the sizes: bench.h falls back to "no reference" without EXPECT_CHECKSUM. */
#include "bench.h"

static char buf[BUF_SIZE + 1];
static char orig[BUF_SIZE + 1];     /* buf as generated */

enum token { T_INT, T_SIGNED, T_DECIMAL, T_SCI, T_INVALID, T_COUNT };

/* The grammar, with an optional sign s = [+-] and digits d = [0-9]:
 *     integer   d+              decimal  s? d* '.' d+
 *     signed    s d+            sci      s? (d+ | d* '.' d+) [eE] s? d+
 * Anything else (including an empty token) is invalid. */
enum state {
    S_START,        /* nothing read yet */
    S_SIGN,         /* a leading sign */
    S_INT,          /* digits, no sign */
    S_SINT,         /* sign and digits */
    S_POINT,        /* a '.', a digit must follow */
    S_FRAC,         /* digits after the point */
    S_EXP,          /* an 'e', a sign or digit must follow */
    S_EXP_SIGN,     /* the exponent's sign, a digit must follow */
    S_EXP_DIGITS,   /* exponent digits */
    S_BAD,          /* malformed: skip to the next comma */
    S_COUNT
};

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_sign(char c) { return c == '+' || c == '-'; }

/* Scan a NUL-terminated buffer.  classes[] gets the tokens per class,
 * counts[] the bytes (the NUL included) read in each state; returns the sum
 * of the integer and signed-integer tokens' values (modulo 2^32). */
static uint32_t scan(const char *p, uint32_t classes[T_COUNT], uint32_t counts[S_COUNT])
{
    enum state st = S_START;
    uint32_t value = 0, total = 0;
    int negative = 0;
    for (int i = 0; i < T_COUNT; i++)
        classes[i] = 0;
    for (int i = 0; i < S_COUNT; i++)
        counts[i] = 0;
    for (;; p++) {
        char c = *p;
        counts[st]++;
        if (c == ',' || c == 0) {
            switch (st) {
            case S_INT:
                classes[T_INT]++;
                total += value;
                break;
            case S_SINT:
                classes[T_SIGNED]++;
                total += negative ? 0u - value : value;
                break;
            case S_FRAC:
                classes[T_DECIMAL]++;
                break;
            case S_EXP_DIGITS:
                classes[T_SCI]++;
                break;
            default:
                classes[T_INVALID]++;
                break;
            }
            if (!c)
                return total;
            st = S_START;
            value = 0;
            negative = 0;
            continue;
        }
        switch (st) {
        case S_START:
            if (is_digit(c)) {
                value = (uint32_t)(c - '0');
                st = S_INT;
            } else if (is_sign(c)) {
                negative = c == '-';
                st = S_SIGN;
            } else if (c == '.') {
                st = S_POINT;
            } else {
                st = S_BAD;
            }
            break;
        case S_SIGN:
            if (is_digit(c)) {
                value = (uint32_t)(c - '0');
                st = S_SINT;
            } else if (c == '.') {
                st = S_POINT;
            } else {
                st = S_BAD;
            }
            break;
        case S_INT:
        case S_SINT:
            if (is_digit(c))
                value = value * 10 + (uint32_t)(c - '0');
            else if (c == '.')
                st = S_POINT;
            else if (c == 'e' || c == 'E')
                st = S_EXP;
            else
                st = S_BAD;
            break;
        case S_POINT:
        case S_FRAC:
            if (is_digit(c))
                st = S_FRAC;
            else if (st == S_FRAC && (c == 'e' || c == 'E'))
                st = S_EXP;
            else
                st = S_BAD;
            break;
        case S_EXP:
            if (is_digit(c))
                st = S_EXP_DIGITS;
            else if (is_sign(c))
                st = S_EXP_SIGN;
            else
                st = S_BAD;
            break;
        case S_EXP_SIGN:
        case S_EXP_DIGITS:
            st = is_digit(c) ? S_EXP_DIGITS : S_BAD;
            break;
        default:    /* S_BAD */
            break;
        }
    }
}

static size_t put_digits(size_t n, uint32_t count, uint32_t *seed)
{
    while (count--)
        buf[n++] = (char)('0' + bench_rand(seed) % 10);
    return n;
}

/* Fill buf with tokens; wrote[] gets how many of each class were written.
 * Returns the number of tokens. */
static uint32_t make_tokens(uint32_t *seed, uint32_t wrote[T_COUNT])
{
    size_t n = 0;
    uint32_t tokens = 0;
    for (int i = 0; i < T_COUNT; i++)
        wrote[i] = 0;
    /* The longest token is 13 bytes, plus its comma. */
    while (n + 16 < BUF_SIZE) {
        if (tokens)
            buf[n++] = ',';
        uint32_t r = bench_rand(seed);
        enum token kind = (enum token)(r % T_COUNT);
        switch (kind) {
        case T_INT:
            n = put_digits(n, 1 + (r >> 8) % 6, seed);
            break;
        case T_SIGNED:
            buf[n++] = (r & 0x100) ? '-' : '+';
            n = put_digits(n, 1 + (r >> 9) % 6, seed);
            break;
        case T_DECIMAL:
            if (r & 0x100)
                buf[n++] = (r & 0x200) ? '-' : '+';
            n = put_digits(n, (r >> 10) % 4, seed);
            buf[n++] = '.';
            n = put_digits(n, 1 + (r >> 12) % 4, seed);
            break;
        case T_SCI:
            if (r & 0x100)
                buf[n++] = (r & 0x200) ? '-' : '+';
            n = put_digits(n, 1 + (r >> 10) % 3, seed);
            if (r & 0x1000) {
                buf[n++] = '.';
                n = put_digits(n, 1 + (r >> 13) % 3, seed);
            }
            buf[n++] = (r & 0x8000) ? 'E' : 'e';
            if (r & 0x10000)
                buf[n++] = (r & 0x20000) ? '-' : '+';
            n = put_digits(n, 1 + (r >> 18) % 3, seed);
            break;
        default:    /* T_INVALID: one of eight malformed shapes */
            switch ((r >> 8) % 8) {
            case 0:     /* two points: 1.2.3 */
                n = put_digits(n, 1 + (r >> 11) % 3, seed);
                buf[n++] = '.';
                n = put_digits(n, 1 + (r >> 13) % 3, seed);
                buf[n++] = '.';
                n = put_digits(n, 1 + (r >> 15) % 3, seed);
                break;
            case 1:     /* a letter among digits: 12x4 */
                n = put_digits(n, 1 + (r >> 11) % 3, seed);
                buf[n++] = "xyzq"[(r >> 13) % 4];
                n = put_digits(n, (r >> 15) % 3, seed);
                break;
            case 2:     /* a sign alone */
                buf[n++] = (r & 0x800) ? '-' : '+';
                break;
            case 3:     /* an exponent without a mantissa: e5 */
                buf[n++] = 'e';
                n = put_digits(n, 1 + (r >> 11) % 3, seed);
                break;
            case 4:     /* an exponent without digits: 7e, 7e- */
                n = put_digits(n, 1 + (r >> 11) % 3, seed);
                buf[n++] = 'e';
                if (r & 0x2000)
                    buf[n++] = '-';
                break;
            case 5:     /* no digit after the point: 5. */
                n = put_digits(n, 1 + (r >> 11) % 3, seed);
                buf[n++] = '.';
                break;
            case 6:     /* two signs: --3 */
                buf[n++] = (r & 0x800) ? '-' : '+';
                buf[n++] = (r & 0x1000) ? '-' : '+';
                n = put_digits(n, 1 + (r >> 13) % 3, seed);
                break;
            default:    /* empty */
                break;
            }
            break;
        }
        wrote[kind]++;
        tokens++;
    }
    buf[n] = 0;
    return tokens;
}

int main(void)
{
    int ok = 1;
    uint32_t classes[T_COUNT], counts[S_COUNT], wrote[T_COUNT];

    /* The known string: 12 tokens, 3 integers (7 + 0 + 120), 2 signed
     * (-45, +3), 2 decimals, 2 sci, 3 invalid. */
    static const char known[] = "7,-45,.5,6.02e23,,+3,1.2.3,0,-1E-9,x1,-0.25,120";
    static const uint32_t known_classes[T_COUNT] = {3, 2, 2, 2, 3};
    static const uint32_t known_counts[S_COUNT] = {12, 4, 7, 5, 4, 6, 2, 1, 3, 4};
    uint32_t total = scan(known, classes, counts);
    ok &= total == 7 + 0 + 120 - 45 + 3;
    for (int i = 0; i < T_COUNT; i++)
        ok &= classes[i] == known_classes[i];
    for (int i = 0; i < S_COUNT; i++)
        ok &= counts[i] == known_counts[i];

    uint32_t seed = 0xF5A1F5A1u;
    uint32_t tokens = make_tokens(&seed, wrote);
    size_t len = 0;
    while (buf[len])
        len++;

    for (size_t i = 0; i <= len; i++)
        orig[i] = buf[i];
    size_t changed[MUTATIONS] = {0};    /* bytes overwritten for this round */

    uint32_t sum = 2166136261u;
    for (int it = 0; it < ITERS; it++) {
        total = scan(buf, classes, counts);
        uint32_t by_class = 0, by_state = 0;
        for (int i = 0; i < T_COUNT; i++) {
            by_class += classes[i];
            if (it == 0)
                ok &= classes[i] == wrote[i];
            sum = bench_mix(sum, classes[i]);
        }
        for (int i = 0; i < S_COUNT; i++) {
            by_state += counts[i];
            sum = bench_mix(sum, counts[i]);
        }
        ok &= by_class == tokens && by_state == len + 1;
        sum = bench_mix(sum, total);
        /* Put back the bytes changed for this round and overwrite a few
         * others for the next, leaving the commas where they are. */
        for (int m = 0; m < MUTATIONS; m++)
            buf[changed[m]] = orig[changed[m]];
        for (int m = 0; m < MUTATIONS; m++) {
            uint32_t r = bench_rand(&seed);
            changed[m] = r % len;
            if (orig[changed[m]] != ',')
                buf[changed[m]] = "0123456789+-.eEx"[(r >> 24) % 16];
        }
    }
    for (int m = 0; m < MUTATIONS; m++)
        buf[changed[m]] = orig[changed[m]];
    for (size_t i = 0; i <= len; i++)
        ok &= buf[i] == orig[i];
    return bench_finish("fsm", sum, EXPECT_CHECKSUM, ok);
}
