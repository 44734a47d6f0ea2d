/*
 * The baseline for the mount benchmark: one overlay mount + umount cycle done in C with
 * the same syscalls @ovl/core uses, timed per cycle with CLOCK_MONOTONIC.
 *   new:    open(O_PATH) per layer · fsopen · fsconfig(FSCONFIG_SET_FD) per layer ·
 *           FSCONFIG_CMD_CREATE · fsmount · move_mount · umount2
 *   legacy: mount(2) with the option string given on the command line · umount2
 * Usage: mount-cycle new|legacy ITERATIONS TARGET UPPER WORK LOWER... | DATA
 * Prints one line per cycle: nanoseconds; then "cpu N": user+system nanoseconds the whole
 * process spent in the cycles (on-CPU time, which a loaded machine disturbs far less than
 * elapsed time).
 * IDLE_THREADS=N starts N threads that only sleep, as a Node process has: the kernel's
 * unmount is measurably slower in a multi-threaded process, and this shows how much.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long cpu_ns(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

static void die(const char *what) {
  fprintf(stderr, "mount-cycle: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void set_fd(int fsfd, const char *key, const char *path) {
  int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) die(path);
  if (syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_FD, key, NULL, fd)) die(key);
  close(fd);
}

static void cycle_new(const char *target, const char *upper, const char *work, char **lower, int nlower) {
  int fsfd = syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
  if (fsfd < 0) die("fsopen");
  for (int i = 0; i < nlower; i++) set_fd(fsfd, "lowerdir+", lower[i]);
  set_fd(fsfd, "upperdir", upper);
  set_fd(fsfd, "workdir", work);
  if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) die("create");
  int mfd = syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, 0);
  if (mfd < 0) die("fsmount");
  if (syscall(SYS_move_mount, mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH)) die("move_mount");
  close(mfd);
  close(fsfd);
  if (umount2(target, 0)) die("umount2");
}

static void *sleep_forever(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

int main(int argc, char **argv) {
  const char *idle = getenv("IDLE_THREADS");
  for (int i = 0, n = idle ? atoi(idle) : 0; i < n; i++) {
    pthread_t t;
    if (pthread_create(&t, NULL, sleep_forever, NULL)) die("pthread_create");
  }
  if (argc < 5) {
    fprintf(stderr, "usage: mount-cycle new|legacy N TARGET (UPPER WORK LOWER... | DATA)\n");
    return 2;
  }
  int legacy = strcmp(argv[1], "legacy") == 0;
  int n = atoi(argv[2]);
  const char *target = argv[3];
  long long cpu0 = cpu_ns();
  for (int i = 0; i < n; i++) {
    long long t0 = now_ns();
    if (legacy) {
      if (mount("overlay", target, "overlay", 0, argv[4])) die("mount");
      if (umount2(target, 0)) die("umount2");
    } else {
      cycle_new(target, argv[4], argv[5], argv + 6, argc - 6);
    }
    printf("%lld\n", now_ns() - t0);
  }
  printf("cpu %lld\n", cpu_ns() - cpu0);
  return 0;
}
