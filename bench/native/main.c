/* Times the kernel's ChaCha20 (wasm2c output of bench/native/chacha20-bench.ts)
 * against chacha20-ref.c, both built by gcc with the kernel's -O2 flags.
 * Prints one line per implementation and their ratio; fails if the two
 * keystreams' checksums differ. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "chacha.h"
#include "chacha20-ref.h"

struct Z_env_instance_t { int unused; };
void Z_envZ_abort(struct Z_env_instance_t *e, u32 a, u32 b, u32 c, u32 d) {
  (void)e; (void)a; (void)b; (void)c; (void)d;
  fprintf(stderr, "error: the wasm module aborted\n");
  exit(1);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint32_t ref_keystream(uint32_t blocks) {
  uint8_t key[32], nonce[12], block[64];
  for (int i = 0; i < 32; i++) key[i] = (uint8_t)i;
  for (int i = 0; i < 12; i++) nonce[i] = (uint8_t)(0x40 + i);
  uint32_t sum = 0, first, last;
  for (uint32_t c = 0; c < blocks; c++) {
    chacha20_ref_block(key, c, nonce, block);
    memcpy(&first, block, 4);
    memcpy(&last, block + 60, 4);
    sum = (sum * 31) ^ first ^ last;
  }
  return sum;
}

int main(int argc, char **argv) {
  uint32_t blocks = argc > 1 ? (uint32_t)strtoul(argv[1], 0, 10) : 1u << 20;
  int rounds = argc > 2 ? atoi(argv[2]) : 5;
  wasm_rt_init();
  Z_chacha_init_module();
  Z_chacha_instance_t inst;
  struct Z_env_instance_t env;
  Z_chacha_instantiate(&inst, &env);
  double best_kernel = 1e9, best_ref = 1e9;
  uint32_t sum_kernel = 0, sum_ref = 0;
  for (int r = 0; r < rounds; r++) { /* interleaved, best of each */
    double t = now();
    sum_kernel = Z_chachaZ_keystream(&inst, blocks);
    double k = now() - t;
    t = now();
    sum_ref = ref_keystream(blocks);
    double c = now() - t;
    if (k < best_kernel) best_kernel = k;
    if (c < best_ref) best_ref = c;
  }
  if (sum_kernel != sum_ref) {
    fprintf(stderr, "error: keystreams differ (kernel %08x, reference %08x)\n", sum_kernel, sum_ref);
    return 1;
  }
  double mb = blocks * 64.0 / 1e6;
  printf("chacha20 keystream, %u blocks, best of %d interleaved runs:\n", blocks, rounds);
  printf("  kernel (asc -> wasm2c -> gcc)  %8.1f MB/s\n", mb / best_kernel);
  printf("  portable C reference            %8.1f MB/s\n", mb / best_ref);
  printf("  ratio                           %8.3f\n", best_ref / best_kernel);
  Z_chacha_free(&inst);
  return 0;
}
