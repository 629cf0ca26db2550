/* Freestanding math.h: the handful of libm functions wasm2c's output calls,
 * implemented in boot/runtime.c with SSE2 (no x87, no libm). */
#ifndef _MATH_H
#define _MATH_H
#define isnan(x) __builtin_isnan(x)
#define signbit(x) __builtin_signbit(x)
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")
double floor(double); float floorf(float);
double ceil(double);  float ceilf(float);
double trunc(double); float truncf(float);
double nearbyint(double); float nearbyintf(float);
double fabs(double);  float fabsf(float);
double sqrt(double);  float sqrtf(float);
double copysign(double, double); float copysignf(float, float);
double fmin(double, double); double fmax(double, double);
float fminf(float, float);   float fmaxf(float, float);
#endif
