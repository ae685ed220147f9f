/*
 * Replays saved inputs of a libFuzzer target without libFuzzer, as a TAP
 * test: each file named on the command line, or found in a directory
 * named there, is one case.  A case passes when the target returns; a
 * finding aborts the program (the target's own check), which fails the
 * test with the case's name printed just before.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cases;

static void replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok %d - %s: cannot open\n", ++cases, path);
        exit(1);
    }
    uint8_t *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : 4096;
            data = realloc(data, cap);
            if (!data) {
                abort();
            }
        }
        size_t n = fread(data + len, 1, cap - len, f);
        if (n == 0) {
            break;
        }
        len += n;
    }
    fclose(f);
    printf("# replaying %s (%zu bytes)\n", path, len);
    fflush(stdout);
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    printf("ok %d - %s\n", ++cases, path);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        struct dirent **names;
        int n = scandir(argv[i], &names, NULL, by_name);
        if (n < 0) {
            replay_file(argv[i]);
            continue;
        }
        for (int j = 0; j < n; j++) {
            if (names[j]->d_name[0] != '.' &&
                strcmp(names[j]->d_name, "README.md") != 0) {
                char path[4096];
                snprintf(path, sizeof(path), "%s/%s", argv[i],
                         names[j]->d_name);
                replay_file(path);
            }
            free(names[j]);
        }
        free(names);
    }
    printf("1..%d\n", cases);
    return cases ? 0 : 1;
}
