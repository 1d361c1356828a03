// The X display for rendering tests. Ebiten v2.8 opens the X display while its packages are
// initialised and panics when there is none, before any Go code of a test can run; this
// constructor runs earlier, when the process starts. With no DISPLAY it starts Xvfb on a free
// display (it exits with its last client, or when the test process dies) and points DISPLAY at it.
// Without Xvfb it reports that the rendering tests are skipped and ends the test process cleanly.

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

static int display_up(int n) {
	char p[64];
	struct stat st;
	snprintf(p, sizeof p, "/tmp/.X11-unix/X%d", n);
	return stat(p, &st) == 0;
}

static int display_taken(int n) {
	char p[64];
	struct stat st;
	snprintf(p, sizeof p, "/tmp/.X%d-lock", n);
	return stat(p, &st) == 0 || display_up(n);
}

__attribute__((constructor)) static void tramso_uitest_display(void) {
	const char *d = getenv("DISPLAY");
	if (d != NULL && *d != 0) {
		return;
	}
	const char *why = "no free display";
	for (int n = 90 + getpid() % 50; n < 250; n++) {
		if (display_taken(n)) {
			continue;
		}
		char name[16];
		snprintf(name, sizeof name, ":%d", n);
		pid_t pid = fork();
		if (pid < 0) {
			why = "fork failed";
			break;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			int null = open("/dev/null", 1);
			if (null >= 0) {
				dup2(null, 1);
				dup2(null, 2);
			}
			execlp("Xvfb", "Xvfb", name, "-screen", "0", "1920x1920x24", "-nolisten", "tcp", "-terminate", (char *)NULL);
			_exit(127);
		}
		for (int i = 0; i < 400; i++) {
			if (display_up(n)) {
				setenv("DISPLAY", name, 1);
				return;
			}
			int status;
			if (waitpid(pid, &status, WNOHANG) == pid) {
				if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
					why = "Xvfb is not installed (Debian package xvfb)";
					n = 1 << 30;
				}
				break;
			}
			usleep(20000);
		}
		if (n < (1 << 30)) {
			kill(pid, SIGTERM);
		}
	}
	printf("--- SKIP: rendering tests need an X server and none could be started: %s\nPASS\n", why);
	fflush(stdout);
	_exit(0);
}
