/*
 * A program written for spike: it never touches the UART or the power
 * device.  It prints through the syscall proxy (write to fd 1, a block of
 * eight words whose address goes to tohost, the result back in the block
 * once fromhost is set) and through the console device (putchar), echoes
 * what the console device's getchar reads until a newline, and ends with
 * the exit system call.
 */
#include <stddef.h>
#include <stdint.h>

extern volatile uint64_t tohost;
extern volatile uint64_t fromhost;

#define SYS_write 64
#define SYS_exit 93
#define CONSOLE 1
#define CONSOLE_GETCHAR 0
#define CONSOLE_PUTCHAR 1

static uint64_t command(uint64_t device, uint64_t cmd, uint64_t payload)
{
    return device << 56 | cmd << 48 | payload;
}

/* Wait for the response to the last command, take it and free fromhost. */
static uint64_t response(void)
{
    uint64_t r;
    while ((r = fromhost) == 0) {
    }
    fromhost = 0;
    return r;
}

static int64_t host_syscall(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2)
{
    static volatile uint64_t block[8] __attribute__((aligned(64)));
    block[0] = n;
    block[1] = a0;
    block[2] = a1;
    block[3] = a2;
    __asm__ volatile("fence" ::: "memory");
    tohost = (uint64_t)block;
    response();
    __asm__ volatile("fence" ::: "memory");
    return (int64_t)block[0];
}

static size_t length(const char *s)
{
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

static int64_t write_str(const char *s)
{
    return host_syscall(SYS_write, 1, (uint64_t)s, length(s));
}

static void console_putchar(char c)
{
    tohost = command(CONSOLE, CONSOLE_PUTCHAR, (uint8_t)c);
    response();
}

static int console_getchar(void)
{
    tohost = command(CONSOLE, CONSOLE_GETCHAR, 0);
    return (int)(response() & 0xff);
}

static void put_number(int64_t v)
{
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)-v : (uint64_t)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        console_putchar('-');
    }
    while (n) {
        console_putchar(digits[--n]);
    }
}

int main(void)
{
    int64_t n = write_str("htif-spike: hello through the syscall proxy\n");
    const char *via = "htif-spike: and through the console device\n";
    for (const char *p = via; *p; p++) {
        console_putchar(*p);
    }
    write_str("htif-spike: write returned ");
    put_number(n);
    console_putchar('\n');
    write_str("htif-spike: a bad fd gives ");
    put_number(host_syscall(SYS_write, 7, (uint64_t)via, 1));
    write_str(", an unknown call ");
    put_number(host_syscall(4321, 0, 0, 0));
    console_putchar('\n');
    write_str("htif-spike: echo: ");
    for (;;) {
        int c = console_getchar();
        if (c == '\n') {
            break;
        }
        console_putchar((char)c);
    }
    write_str("\nhtif-spike: exit 0\n");
    host_syscall(SYS_exit, 0, 0, 0);
    for (;;) {
    }
}
