// Opens one file of its preopen again and again, keeping every descriptor, until the
// host runs out (RLIMIT_NOFILE in the test), then prints how far it got and exits 0.
// Its first print comes only after that: the host's first stdout write happens with no
// descriptor left.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    int opened = 0;
    int err = 0;
    while (opened < 100000) {
        int fd = open("/sb/f.txt", O_RDONLY);
        if (fd < 0) {
            err = errno;
            break;
        }
        opened++;
    }
    printf("opened %d, then errno %d (%s)\n", opened, err, strerror(err));
    return 0;
}
