/* Linked lists: NODES nodes taken from a static array but linked in a
 * pseudo-random order, so every walk is pointer chasing through memory.
 * Each of ITERS rounds (1) looks up LOOKUPS keys by linear search, half of
 * them present, (2) moves MOVES nodes: unlinks the node with a given key,
 * gives it a new key and links it back in at a random position, (3)
 * reverses the list and reverses it back, (4) merge sorts it by key
 * (bottom-up, no recursion, no extra memory) and (5) merge sorts it by
 * sequence number, which brings back the order the round started from.
 * Self-checks: every hit really has the key looked up and exactly half the
 * lookups hit; every move finds its node; the list reversed twice is in its
 * old order again (order-dependent hash); after the key sort the keys never
 * decrease and the list still holds NODES nodes with the same sequence
 * numbers (sum and xor); after the sequence sort node i has number i. */
#if !defined(NODES) && !defined(LOOKUPS) && !defined(MOVES) && !defined(ITERS)
#define EXPECT_CHECKSUM 0xd70bc30du   /* host value for the default sizes */
#endif
#ifndef NODES
#define NODES 4096
#endif
#ifndef LOOKUPS
#define LOOKUPS 32
#endif
#ifndef MOVES
#define MOVES 16
#endif
#ifndef ITERS
#define ITERS 1050
#endif

/* After the sizes: bench.h falls back to "no reference" without EXPECT_CHECKSUM. */
#include "bench.h"

/* seq: the node's place in the order the list was first linked in. */
struct node {
    struct node *next;
    uint32_t key;       /* bit 31 always clear: keys with it set miss */
    uint32_t seq;
};

static struct node pool[NODES];
static uint32_t perm[NODES];

typedef int (*before_fn)(const struct node *a, const struct node *b);

static int key_before(const struct node *a, const struct node *b) { return a->key < b->key; }
static int seq_before(const struct node *a, const struct node *b) { return a->seq < b->seq; }

/* Link the pool in a random permutation: node perm[i] comes i-th. */
static struct node *make_list(uint32_t *seed)
{
    for (uint32_t i = 0; i < NODES; i++)
        perm[i] = i;
    for (uint32_t i = NODES - 1; i > 0; i--) {     /* Fisher-Yates */
        uint32_t j = bench_rand(seed) % (i + 1);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    struct node *head = NULL;
    for (uint32_t i = NODES; i--;) {
        struct node *p = &pool[perm[i]];
        p->key = bench_rand(seed) & 0x7fffffff;
        p->seq = i;
        p->next = head;
        head = p;
    }
    return head;
}

/* The first node with this key, or NULL; *steps gets its position. */
static struct node *find(struct node *p, uint32_t key, uint32_t *steps)
{
    uint32_t n = 0;
    for (; p; p = p->next, n++)
        if (p->key == key)
            break;
    *steps = n;
    return p;
}

static struct node *unlink_key(struct node **list, uint32_t key)
{
    for (struct node **pp = list; *pp; pp = &(*pp)->next)
        if ((*pp)->key == key) {
            struct node *p = *pp;
            *pp = p->next;
            return p;
        }
    return NULL;
}

/* Insert p before the node at position pos (at the end if pos is past it). */
static void link_at(struct node **list, struct node *p, uint32_t pos)
{
    struct node **pp = list;
    while (pos-- && *pp)
        pp = &(*pp)->next;
    p->next = *pp;
    *pp = p;
}

static struct node *reverse(struct node *list)
{
    struct node *prev = NULL;
    while (list) {
        struct node *next = list->next;
        list->next = prev;
        prev = list;
        list = next;
    }
    return prev;
}

/* An order-dependent hash of the sequence numbers; *len gets the length. */
static uint32_t order_hash(const struct node *p, uint32_t *len)
{
    uint32_t h = 2166136261u, n = 0;
    for (; p; p = p->next, n++)
        h = (h ^ p->seq) * 16777619u;
    *len = n;
    return h;
}

/* Bottom-up merge sort: merge neighbouring runs of width 1, 2, 4, ... until
 * one pass does a single merge.  Stable: on a tie the earlier run wins. */
static struct node *merge_sort(struct node *list, before_fn before)
{
    for (uint32_t width = 1;; width *= 2) {
        struct node *head = NULL, **tail = &head, *a = list;
        uint32_t merges = 0;
        while (a) {
            merges++;
            struct node *b = a;
            uint32_t na = 0, nb = width;
            while (b && na < width) {
                b = b->next;
                na++;
            }
            while (na || (nb && b)) {
                struct node *take;
                if (na && (!nb || !b || !before(b, a))) {
                    take = a;
                    a = a->next;
                    na--;
                } else {
                    take = b;
                    b = b->next;
                    nb--;
                }
                *tail = take;
                tail = &take->next;
            }
            a = b;
        }
        *tail = NULL;
        if (merges <= 1)
            return head;
        list = head;
    }
}

int main(void)
{
    uint32_t seed = 0x11570BADu;
    struct node *head = make_list(&seed);

    int ok = 1;
    uint32_t sum = 2166136261u;
    const uint32_t seq_sum = (uint32_t)((uint64_t)NODES * (NODES - 1) / 2);
    uint32_t seq_xor = 0;
    for (uint32_t i = 0; i < NODES; i++)
        seq_xor ^= i;

    for (int it = 0; it < ITERS; it++) {
        /* (1) Lookups: even ones a key in the list, odd ones a key with bit
         * 31 set, which no node has. */
        uint32_t found = 0, pos = 0;
        for (int l = 0; l < LOOKUPS; l++) {
            uint32_t r = bench_rand(&seed), steps;
            uint32_t key = (l & 1) ? (r | 0x80000000u) : pool[r % NODES].key;
            struct node *p = find(head, key, &steps);
            if (p) {
                found++;
                pos += steps;
                ok &= p->key == key;
            }
        }
        ok &= found == LOOKUPS / 2;
        sum = bench_mix(sum, pos);

        /* (2) Moves: the list keeps its length, the keys change. */
        for (int m = 0; m < MOVES; m++) {
            uint32_t key = pool[bench_rand(&seed) % NODES].key;
            struct node *p = unlink_key(&head, key);
            if (!p) {
                ok = 0;
                break;
            }
            p->key = bench_rand(&seed) & 0x7fffffff;
            link_at(&head, p, bench_rand(&seed) % NODES);
        }

        /* (3) Reverse and back. */
        uint32_t len, len2;
        uint32_t before = order_hash(head, &len);
        head = reverse(head);
        sum = bench_mix(sum, order_hash(head, &len2));
        head = reverse(head);
        ok &= order_hash(head, &len2) == before && len == NODES && len2 == NODES;

        /* (4) Sort by key. */
        head = merge_sort(head, key_before);
        uint32_t n = 0, add = 0, xr = 0, prev = 0, mid = 0;
        for (const struct node *p = head; p; p = p->next, n++) {
            ok &= p->key >= prev;
            prev = p->key;
            add += p->seq;
            xr ^= p->seq;
            if (n == NODES / 2)
                mid = p->key;
        }
        ok &= n == NODES && add == seq_sum && xr == seq_xor;
        sum = bench_mix(sum, mid);
        sum = bench_mix(sum, order_hash(head, &len));

        /* (5) Sort by sequence number: back to the starting order. */
        head = merge_sort(head, seq_before);
        n = 0;
        for (const struct node *p = head; p; p = p->next, n++)
            ok &= p->seq == n;
        ok &= n == NODES;
    }
    for (const struct node *p = head; p; p = p->next)
        sum = bench_mix(sum, p->key);
    return bench_finish("list", sum, EXPECT_CHECKSUM, ok);
}
