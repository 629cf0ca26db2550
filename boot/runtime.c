/*
 * The wasm2c runtime and the few libc/libm routines its output calls.
 * Owns: the Wasm memory object (placed at LINEAR_MEMORY_BASE; the loader's
 * other files reach linear memory through linear_memory_at), funcref tables
 * (from a static arena), function-type registration and the call-depth
 * counter that turns runaway recursion into a trap.
 * May call: console.c (loader_panic). Never: allocates from anywhere but its
 * own static arenas, or calls into Wasm.
 */
#include <stdarg.h>
#include "loader.h"
#include "wasm-rt.h"

uint32_t wasm_rt_call_stack_depth;

/* ---- libc -------------------------------------------------------------- */

void *memcpy(void *dst, const void *src, size_t n) {
  void *ret = dst;
  /* Eight bytes per step for the bulk, as memset: under TCG each rep
   * iteration is one instruction. Forward, so memmove may call it when
   * dst < src even if the ranges overlap (each qword is read before any
   * write reaches it). */
  size_t words = n / 8, rest = n % 8;
  __asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(words)::"memory");
  __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(rest)::"memory");
  return ret;
}

void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) return memcpy(dst, src, n);
  d += n - 1;
  s += n - 1;
  __asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n)::"memory");
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  void *ret = dst;
  /* Eight bytes per step for the bulk: under TCG each rep iteration costs
   * about the same whatever its width (whole Wasm pages: zero_pages). */
  size_t words = n / 8, rest = n % 8;
  uint64_t pattern = 0x0101010101010101ull * (uint8_t)c;
  __asm__ volatile("rep stosq" : "+D"(dst), "+c"(words) : "a"(pattern) : "memory");
  __asm__ volatile("rep stosb" : "+D"(dst), "+c"(rest) : "a"(c) : "memory");
  return ret;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

/* ---- libm (SSE2 only; gcc emits calls for these under -ffreestanding) -- */

static const double TWO52 = 4503599627370496.0;
static const float TWO23 = 8388608.0f;

double trunc(double x) {
  if (!(__builtin_fabs(x) < TWO52)) return x;  /* already integral, inf or NaN */
  double r = (double)(int64_t)x;
  return __builtin_copysign(r, x);
}
double floor(double x) { double t = trunc(x); return t > x ? t - 1.0 : t; }
double ceil(double x) { double t = trunc(x); return t < x ? t + 1.0 : t; }
double nearbyint(double x) { /* ties to even, the default rounding mode */
  if (!(__builtin_fabs(x) < TWO52)) return x;
  double r = __builtin_fabs(x) + TWO52 - TWO52;
  return __builtin_copysign(r, x);
}
double fabs(double x) { return __builtin_fabs(x); }
double copysign(double x, double y) { return __builtin_copysign(x, y); }
double sqrt(double x) { __asm__("sqrtsd %1, %0" : "=x"(x) : "x"(x)); return x; }
double fmin(double a, double b) { return a < b ? a : b; }
double fmax(double a, double b) { return a > b ? a : b; }

float truncf(float x) {
  if (!(__builtin_fabsf(x) < TWO23)) return x;
  return __builtin_copysignf((float)(int32_t)x, x);
}
float floorf(float x) { float t = truncf(x); return t > x ? t - 1.0f : t; }
float ceilf(float x) { float t = truncf(x); return t < x ? t + 1.0f : t; }
float nearbyintf(float x) {
  if (!(__builtin_fabsf(x) < TWO23)) return x;
  float r = __builtin_fabsf(x) + TWO23 - TWO23;
  return __builtin_copysignf(r, x);
}
float fabsf(float x) { return __builtin_fabsf(x); }
float copysignf(float x, float y) { return __builtin_copysignf(x, y); }
float sqrtf(float x) { __asm__("sqrtss %1, %0" : "=x"(x) : "x"(x)); return x; }
float fminf(float a, float b) { return a < b ? a : b; }
float fmaxf(float a, float b) { return a > b ? a : b; }

/* ---- function types ---------------------------------------------------- */

#define MAX_FUNC_TYPES 128
#define MAX_TYPE_ARITY 32
#define TYPE_SLOTS 256 /* open addressing, at most half full */

static struct {
  uint32_t params, results;
  uint64_t key;
  uint8_t types[MAX_TYPE_ARITY];
} func_types[MAX_FUNC_TYPES];
static uint32_t func_type_count;
static uint8_t type_slot[TYPE_SLOTS]; /* index + 1 into func_types, 0 = empty */

/* wasm2c registers each of the module's types once at start-up (53 of them
 * for the kernel): hashed, so that costs a probe each, not a scan of all
 * the types before it. */
uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  if (params + results > MAX_TYPE_ARITY) loader_panic("wasm function type has too many parameters");
  uint8_t types[MAX_TYPE_ARITY];
  uint64_t key = 0xcbf29ce484222325ull ^ (params << 8 | results); /* FNV-1a */
  va_list ap;
  va_start(ap, results);
  for (uint32_t i = 0; i < params + results; i++) {
    types[i] = (uint8_t)va_arg(ap, int);
    key = (key ^ types[i]) * 0x100000001b3ull;
  }
  va_end(ap);
  uint32_t slot = (uint32_t)(key ^ key >> 32) % TYPE_SLOTS;
  for (; type_slot[slot] != 0; slot = (slot + 1) % TYPE_SLOTS) {
    uint32_t t = type_slot[slot] - 1u;
    if (func_types[t].key == key && func_types[t].params == params && func_types[t].results == results &&
        memcmp(func_types[t].types, types, params + results) == 0)
      return t + 1;
  }
  if (func_type_count == MAX_FUNC_TYPES) loader_panic("too many wasm function types");
  func_types[func_type_count].params = params;
  func_types[func_type_count].results = results;
  func_types[func_type_count].key = key;
  memcpy(func_types[func_type_count].types, types, params + results);
  type_slot[slot] = (uint8_t)(func_type_count + 1);
  return ++func_type_count; /* 0 stays "no type" for null funcrefs */
}

/* ---- linear memory ----------------------------------------------------- */

#define WASM_PAGE 65536u
#define LINEAR_MAX_PAGES ((uint32_t)((LINEAR_MEMORY_LIMIT - LINEAR_MEMORY_BASE) / WASM_PAGE))

/* The kernel's one memory, once the module has asked for it. */
static wasm_rt_memory_t *linear;

/* Bounds checking is the MMU's: wasm2c is built with
 * WASM_RT_MEMCHECK_SIGNAL_HANDLER, so it emits no checks, and every byte
 * from the memory's current size to 8 GiB past its base is absent (entry.S).
 * Growing marks the new pages present; trap.c turns a fault in that span
 * into the out-of-bounds trap. Not-present → present needs no TLB flush. */
extern uint64_t pt_linear[];
#define PAGE_4K 4096u

static void map_linear(uint64_t from, uint64_t to) {
  for (uint64_t off = from; off < to; off += PAGE_4K)
    pt_linear[off / PAGE_4K] = (LINEAR_MEMORY_BASE + off) | 0x3; /* present, writable, write-back */
}

/* Zeroes whole Wasm pages (512 KiB before ready): 256 bytes per loop of
 * sixteen 16-byte stores is 19 instructions where rep stosq, one
 * instruction per 8 bytes under TCG, is 32. Kept out of memset, whose
 * small calls (a reseed's) should not pay for the choice. */
static void zero_pages(uint8_t *at, size_t pages) {
  size_t blocks = pages * (WASM_PAGE / 256);
  if (blocks == 0) return;
  __asm__ volatile(
      "pxor %%xmm0, %%xmm0\n"
      "1:\n\t"
      "movaps %%xmm0, 0(%0)\n\t"   "movaps %%xmm0, 16(%0)\n\t"
      "movaps %%xmm0, 32(%0)\n\t"  "movaps %%xmm0, 48(%0)\n\t"
      "movaps %%xmm0, 64(%0)\n\t"  "movaps %%xmm0, 80(%0)\n\t"
      "movaps %%xmm0, 96(%0)\n\t"  "movaps %%xmm0, 112(%0)\n\t"
      "movaps %%xmm0, 128(%0)\n\t" "movaps %%xmm0, 144(%0)\n\t"
      "movaps %%xmm0, 160(%0)\n\t" "movaps %%xmm0, 176(%0)\n\t"
      "movaps %%xmm0, 192(%0)\n\t" "movaps %%xmm0, 208(%0)\n\t"
      "movaps %%xmm0, 224(%0)\n\t" "movaps %%xmm0, 240(%0)\n\t"
      "addq $256, %0\n\t"
      "decq %1\n\t"
      "jnz 1b"
      : "+r"(at), "+r"(blocks) : : "xmm0", "memory");
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages) {
  if (linear) loader_panic("the kernel module asked for a second memory");
  if (initial_pages > LINEAR_MAX_PAGES) loader_panic("kernel's initial memory exceeds the linear-memory region");
  linear = mem;
  mem->data = (uint8_t *)LINEAR_MEMORY_BASE;
  mem->pages = initial_pages;
  mem->max_pages = max_pages < LINEAR_MAX_PAGES ? max_pages : LINEAR_MAX_PAGES;
  mem->size = initial_pages * WASM_PAGE;
  map_linear(0, mem->size);
  zero_pages(mem->data, initial_pages); /* LINEAR_MEMORY_BASE: page-aligned */
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint32_t delta) {
  uint32_t old = mem->pages;
  if (delta > mem->max_pages - old) return UINT32_MAX;
  map_linear(mem->size, mem->size + (uint64_t)delta * WASM_PAGE);
  zero_pages(mem->data + mem->size, delta);
  mem->pages = old + delta;
  mem->size = mem->pages * WASM_PAGE;
  return old;
}

/* A pointer to [offset, offset+len) of linear memory, or 0 if out of bounds
 * (or before the module has its memory). */
uint8_t *linear_memory_at(uint32_t offset, uint32_t len) {
  if (!linear || (uint64_t)offset + len > linear->size) return 0;
  return linear->data + offset;
}

/* Where a fault at `va` falls: inside Wasm's reach beyond the memory's size. */
_Bool linear_memory_guard_fault(uint64_t va) {
  return va >= LINEAR_MEMORY_BASE && va < LINEAR_MEMORY_BASE + LINEAR_GUARD_SPAN + WASM_PAGE;
}

void wasm_rt_free_memory(wasm_rt_memory_t *mem) { (void)mem; }

/* ---- tables ------------------------------------------------------------ */

static wasm_rt_funcref_t table_arena[1024];
static uint32_t table_arena_used;

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *table, uint32_t elements,
                                    uint32_t max_elements) {
  /* Tables cannot grow here: reserve exactly the initial size. */
  if (elements > 1024 - table_arena_used) loader_panic("kernel's function table exceeds the table arena");
  table->data = &table_arena[table_arena_used];
  table_arena_used += elements;
  table->size = elements;
  table->max_size = elements < max_elements ? elements : max_elements;
  memset(table->data, 0, elements * sizeof *table->data);
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *table) { (void)table; }

uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t *table, uint32_t delta,
                                    wasm_rt_funcref_t init) {
  (void)table; (void)delta; (void)init;
  return UINT32_MAX;
}

void wasm_rt_init(void) {}
bool wasm_rt_is_initialized(void) { return true; }
