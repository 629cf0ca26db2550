/*
 * /init of the Linux peer guest (`make compare`): PID 1 of an initramfs that
 * holds only this program and /dev/console. It speaks clonesafe's serial line
 * protocol (README.md, "Serial protocol") as far as a Linux guest can:
 *
 *   ready line   "linux ready kernel=<release>"
 *   rand <n>     "rand: <2n hex digits>"   (getrandom(2); no epoch: Linux
 *                                           has no counter the guest can read)
 *   stream       "stream: seq=<s> <64 hex digits>" until any input byte
 *                 arrives, then "stream: stopped"
 *   uptime       "uptime: <seconds since boot, CLOCK_BOOTTIME, 3 decimals>"
 *   anything else  "error: <what was wrong>"
 *
 * The console is put in raw mode with echo off, so lines arrive whole and
 * nothing the host sends comes back. Every output line is one write(2)
 * followed by tcdrain(3): the bytes of a line are drawn just before it is
 * written, and the next line is drawn only once this one has left the UART,
 * so what a snapshot can catch in the kernel's tty buffer is one line, as
 * with clonesafe's UART. Built with `gcc -static` (Makefile, peer-linux).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_RAND 4096
#define LINE_MAX_IN 256

static void out(const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = write(1, s, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;
        }
        s += w;
        n -= (size_t)w;
    }
    tcdrain(1);
}

static void outs(const char *s) { out(s, strlen(s)); }

static void fill_random(unsigned char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            outs("error: getrandom failed\n");
            return;
        }
        got += (size_t)r;
    }
}

static void hex(char *dst, const unsigned char *src, size_t n) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = digits[src[i] >> 4];
        dst[2 * i + 1] = digits[src[i] & 15];
    }
}

static void cmd_rand(const char *arg) {
    static unsigned char bytes[MAX_RAND];
    static char line[2 * MAX_RAND + 16];
    char *end;
    long n = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || n < 1 || n > MAX_RAND) {
        outs("error: rand: expected a byte count from 1 to 4096\n");
        return;
    }
    fill_random(bytes, (size_t)n);
    memcpy(line, "rand: ", 6);
    hex(line + 6, bytes, (size_t)n);
    line[6 + 2 * n] = '\n';
    out(line, 7 + 2 * (size_t)n);
}

/* True (and the byte consumed) when input is waiting. */
static int input_waiting(void) {
    struct pollfd p = { .fd = 0, .events = POLLIN };
    if (poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
        char c;
        (void)read(0, &c, 1);
        return 1;
    }
    return 0;
}

static void cmd_stream(void) {
    unsigned char bytes[32];
    char line[128];
    for (unsigned long seq = 0; !input_waiting(); seq++) {
        fill_random(bytes, sizeof bytes);
        int k = snprintf(line, sizeof line, "stream: seq=%lu ", seq);
        hex(line + k, bytes, sizeof bytes);
        line[k + 64] = '\n';
        out(line, (size_t)k + 65);
    }
    outs("stream: stopped\n");
}

static void cmd_uptime(void) {
    struct timespec t;
    char line[64];
    clock_gettime(CLOCK_BOOTTIME, &t);
    snprintf(line, sizeof line, "uptime: %ld.%03ld\n", (long)t.tv_sec, t.tv_nsec / 1000000);
    outs(line);
}

static void run(char *line) {
    while (*line == ' ') line++;
    if (*line == '\0') return;
    if (strncmp(line, "rand ", 5) == 0) cmd_rand(line + 5);
    else if (strcmp(line, "stream") == 0) cmd_stream();
    else if (strcmp(line, "uptime") == 0) cmd_uptime();
    else {
        char msg[LINE_MAX_IN + 40];
        snprintf(msg, sizeof msg, "error: unknown command \"%s\"\n", line);
        outs(msg);
    }
}

int main(void) {
    /* The kernel opened /dev/console for us when the initramfs has it. */
    if (fcntl(0, F_GETFD) < 0) {
        int fd = open("/dev/console", O_RDWR);
        if (fd < 0) return 1;
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
    }
    struct termios t;
    if (tcgetattr(0, &t) == 0) {
        cfmakeraw(&t);
        t.c_oflag |= OPOST | ONLCR; /* "\n" leaves as "\r\n", as clonesafe's lines do */
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        tcsetattr(0, TCSANOW, &t);
    }
    struct utsname u;
    char ready[128];
    uname(&u);
    snprintf(ready, sizeof ready, "linux ready kernel=%s\n", u.release);
    outs(ready);

    char line[LINE_MAX_IN + 1];
    size_t len = 0;
    int overlong = 0;
    for (;;) {
        char c;
        ssize_t r = read(0, &c, 1);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            struct timespec pause = { 0, 10 * 1000 * 1000 };
            nanosleep(&pause, NULL);
            continue;
        }
        if (c == '\r' || c == '\n') {
            line[len] = '\0';
            if (overlong) outs("error: line too long\n");
            else run(line);
            len = 0;
            overlong = 0;
        } else if (c == '\b' || c == 0x7f) {
            if (len > 0) len--;
        } else if (len < LINE_MAX_IN) {
            line[len++] = c;
        } else {
            overlong = 1;
        }
    }
}
