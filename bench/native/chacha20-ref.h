#include <stdint.h>
void chacha20_ref_block(const uint8_t key[32], uint32_t counter, const uint8_t nonce[12], uint8_t out[64]);
