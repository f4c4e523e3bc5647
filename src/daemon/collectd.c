/* The collectd binary: command line, start-up, the main loop and an
 * orderly shutdown. */
#include "config_reload.h"
#include "configfile_internal.h"
#include "daemon_signals.h"
#include "exit_watch.h"
#include "filter_chain/fc.h"
#include "plugin_control.h"
#include "plugin_dynamic.h"
#include "plugin_host/host_main.h"
#include "plugin_read.h"
#include "plugin_restart.h"
#include "service_notify.h"
#include "types_list.h"
#include "utils/common/common.h"
#include "utils_cache.h"

#include <getopt.h>
#include <pthread.h>
#include <sys/file.h>

typedef struct {
  const char *config_file;
  bool foreground;
  bool test_config;  /* -t */
  bool test_readall; /* -T */
  bool create_basedir;
} cmdline_t;

static void usage(int status) {
  printf("Usage: collectd [OPTIONS]\n\n"
         "Available options:\n"
         "  General:\n"
         "    -C <file>       Configuration file.\n"
         "                    Default: " CONFIGFILE "\n"
         "    -t              Test the configuration (load and configure the "
         "plugins) and exit.\n"
         "    -T              Run every read callback once and exit.\n"
         "    -P <file>       PID file.\n"
         "                    Default: " PIDFILE "\n"
         "    -B              Do not create the BaseDir.\n"
         "    -f              Stay in the foreground.\n"
         "    -h              Show this help and exit.\n\n"
         "Built-in defaults:\n"
         "  Config file       " CONFIGFILE "\n"
         "  PID file          " PIDFILE "\n"
         "  Plugin directory  " PLUGINDIR "\n"
         "  Data directory    " PKGLOCALSTATEDIR "\n\n"
         "collectd %s: collectd 5.12 compatible, with plugins that load and "
         "unload at run time.\n",
         PACKAGE_VERSION);
  exit(status);
}

/* A relative -C made absolute before the daemon changes into BaseDir, so
 * that LOAD and RELOAD read the file it started with. Symbolic links are
 * kept: the operator's path is the one re-read. */
static const char *absolute_path(const char *path) {
  static char buf[PATH_MAX];
  char cwd[PATH_MAX];
  if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
    return path;
  const char *rest = strncmp(path, "./", 2) == 0 ? path + 2 : path;
  if ((size_t)snprintf(buf, sizeof(buf), "%s/%s",
                       strcmp(cwd, "/") == 0 ? "" : cwd, rest) >= sizeof(buf))
    return path;
  return buf;
}

static void parse_args(int argc, char **argv, cmdline_t *cl) {
  *cl = (cmdline_t){.config_file = CONFIGFILE, .create_basedir = true};
  int c;
  while ((c = getopt(argc, argv, "BhtTfC:P:")) != -1) {
    switch (c) {
    case 'B':
      cl->create_basedir = false;
      break;
    case 'C':
      cl->config_file = optarg;
      break;
    case 't':
      cl->test_config = true;
      break;
    case 'T':
      cl->test_readall = true;
      cl->foreground = true;
      break;
    case 'P':
      global_option_set("PIDFile", optarg, true);
      pidfile_from_cli = 1;
      break;
    case 'f':
      cl->foreground = true;
      break;
    case 'h':
      usage(EXIT_SUCCESS);
      break;
    default:
      usage(EXIT_FAILURE);
    }
  }
  if (optind < argc)
    usage(EXIT_FAILURE);
  cl->config_file = absolute_path(cl->config_file);
}

/* Messages about BaseDir and PIDFile name the line that set them. */
static int enter_basedir(bool create) {
  const char *dir = global_option_get("BaseDir");
  if (dir == NULL || dir[0] == '\0')
    return 0;
  char where[PATH_MAX + 32], q[OCONFIG_EXCERPT_SIZE];
  cf_option_where("BaseDir", where, sizeof(where));
  oconfig_excerpt(dir, true, q, sizeof(q));
  if (chdir(dir) == 0)
    return 0;
  int err = errno;
  /* As collectd 5.12 does (unless -B): the directory itself is made, not
   * its parents, which a mistyped path would leave behind. */
  if (err == ENOENT && create) {
    if (mkdir(dir, S_IRWXU | S_IRGRP | S_IXGRP | S_IROTH | S_IXOTH) != 0) {
      ERROR("%sBaseDir: cannot create %s: %s", where, q, STRERRNO);
      return -1;
    }
    if (chdir(dir) == 0)
      return 0;
    err = errno;
  }
  ERROR("%sBaseDir: cannot change to %s: %s", where, q, strerror(err));
  return -1;
}

/* The PID file, held locked (flock) for the daemon's life, so that a
 * second daemon started with the same one refuses to start and leaves it
 * alone. Taken before the daemon forks (the child keeps the lock), written
 * after. */
static int pidfile_fd = -1;

/* Whether the PID file names another running collectd that does not lock
 * it (Debian's collectd 5.12): its process is there and is called so. */
static bool pidfile_names_running(int fd, long *pid) {
  char buf[32] = "";
  ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  char *end;
  *pid = strtol(buf, &end, 10);
  if (end == buf || *pid <= 0 || *pid == (long)getpid() ||
      (kill((pid_t)*pid, 0) != 0 && errno != EPERM))
    return false;
  char path[64], comm[32] = "";
  snprintf(path, sizeof(path), "/proc/%ld/comm", *pid);
  FILE *fh = fopen(path, "r");
  if (fh == NULL)
    return false;
  bool named = fgets(comm, sizeof(comm), fh) != NULL &&
               strncmp(comm, "collectd", strlen("collectd")) == 0;
  fclose(fh);
  return named;
}

/* Returns 0 when the file is ours, 1 when it cannot be written (the daemon
 * goes on without it, as collectd 5.12 does), -1 when another daemon holds
 * it (the daemon must not start). */
static int pidfile_take(void) {
  const char *file = global_option_get("PIDFile");
  char where[PATH_MAX + 32], q[OCONFIG_EXCERPT_SIZE];
  cf_option_where("PIDFile", where, sizeof(where));
  oconfig_excerpt(file, true, q, sizeof(q));
  int fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    ERROR("%sPIDFile: cannot write %s: %s", where, q, STRERRNO);
    return 1;
  }
  long pid = 0;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err == EWOULDBLOCK) {
      pidfile_names_running(fd, &pid);
      ERROR("%sPIDFile: %s is held by another running daemon (pid %ld); "
            "not starting a second one",
            where, q, pid);
      close(fd);
      return -1;
    }
    ERROR("%sPIDFile: cannot lock %s: %s", where, q, strerror(err));
  } else if (pidfile_names_running(fd, &pid)) {
    ERROR("%sPIDFile: %s names pid %ld, a collectd that is running; not "
          "starting a second one",
          where, q, pid);
    close(fd);
    return -1;
  }
  pidfile_fd = fd;
  return 0;
}

static void pidfile_write(void) {
  char buf[32];
  int len = snprintf(buf, sizeof(buf), "%i\n", (int)getpid());
  if (ftruncate(pidfile_fd, 0) != 0 || pwrite(pidfile_fd, buf, len, 0) != len)
    ERROR("PIDFile: cannot write %s: %s", global_option_get("PIDFile"),
          STRERRNO);
}

/* Removes the file only if it is ours. */
static void pidfile_remove(void) {
  if (pidfile_fd < 0)
    return;
  unlink(global_option_get("PIDFile"));
  close(pidfile_fd);
  pidfile_fd = -1;
}

static int daemonize(void) {
  pid_t pid = fork();
  if (pid < 0) {
    ERROR("fork: %s", STRERRNO);
    return -1;
  }
  if (pid > 0)
    _exit(EXIT_SUCCESS);
  setsid();
  int fd = open("/dev/null", O_RDWR);
  if (fd >= 0) {
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO)
      close(fd);
  }
  return 0;
}

/* Expires stale cache entries once per interval until told to stop. */
static void main_loop(void) {
  for (;;) {
    int sig = signals_wait(cf_get_default_interval());
    if (plugin_control_failure_shutdown()) {
      INFO("Exiting: a plugin failed and its OnPluginFailure is Shutdown.");
      return;
    }
    if (sig == SIGTERM) {
      INFO("Exiting normally (SIGTERM or SIGINT).");
      return;
    }
    if (sig == SIGUSR1) {
      INFO("SIGUSR1: flushing all plugins");
      plugin_flush(NULL, 0, NULL);
      continue;
    }
    if (sig == SIGHUP) {
      INFO("SIGHUP: reloading the configuration");
      config_reload_signal();
      continue;
    }
    uc_check_timeout();
  }
}

/* Between the plugins that only read and those that take values: the
 * readers' last values are queued by now, so the write queue is delivered
 * (bounded by Timeout intervals) and its threads stopped, the write
 * plugins flushed, and the chains freed -- before any match's or target's
 * plugin shuts down, since their destroy callbacks may need what that
 * plugin frees there. */
static cdtime_t exit_unload_timeout;

static void deliver_queued(void) {
  cdtime_t write_timeout = (cdtime_t)timeout_g * cf_get_default_interval();
  exit_watch_step(write_timeout + exit_unload_timeout,
                  "delivering the queued values");
  plugin__write_stop(write_timeout);
  exit_watch_step(exit_unload_timeout, "flushing");
  plugin_flush(NULL, 0, NULL);
  exit_watch_step(exit_unload_timeout, "freeing the filter chains");
  fc__publish(NULL, exit_unload_timeout);
}

/* The longest the exit may take (collectd(1) states it): four times
 * UnloadTimeout, for a lifecycle command, the shutdown callbacks and the
 * plugins' threads, plus Timeout intervals to deliver the queued values.
 * Read from the options as they are, so that it also holds before the
 * configuration is read (the defaults: 60 s). */
static cdtime_t exit_bound(void) {
  cdtime_t unload =
      global_option_get_time("UnloadTimeout", TIME_T_TO_CDTIME_T_STATIC(10));
  cdtime_t interval =
      global_option_get_time("Interval", TIME_T_TO_CDTIME_T_STATIC(10));
  return 4 * unload + (cdtime_t)global_option_get_long("Timeout", 2) * interval;
}

/* Stops reading, shuts the plugins down (see plugin_dynamic_shutdown_all()
 * for the order) and frees everything. Every step is bounded, and so is the
 * whole exit (see exit_watch.h), until main() stops the watch: a callback
 * that never returns ends the process with EXIT_FAILURE instead of keeping
 * it from exiting. Returns -2 if a lifecycle command never ended: then the
 * process must end with exit_now(). */
static int shutdown_all(bool threads_started) {
  exit_watch_disarm();
  exit_unload_timeout =
      global_option_get_time("UnloadTimeout", TIME_T_TO_CDTIME_T_STATIC(10));
  exit_watch_start(exit_bound());
  /* A command under way gets the time an unload may take, and some. */
  exit_watch_step(3 * exit_unload_timeout, "waiting for a lifecycle command");
  bool commands_done = plugin_control_stop(2 * exit_unload_timeout);
  /* A reload SIGHUP started stops at its next plugin: the commands are. */
  if (commands_done)
    commands_done = config_reload_stop(exit_unload_timeout);
  plugin__restart_stop(commands_done);
  if (threads_started) {
    exit_watch_step(exit_unload_timeout, "stopping the read threads");
    plugin__read_stop();
  }
  int status = plugin_dynamic_shutdown_all(deliver_queued);
  exit_watch_step(exit_unload_timeout, "freeing the value cache and types");
  uc_shutdown();
  types_destroy_all();
  exit_watch_step(exit_unload_timeout, "freeing the configuration");
  return commands_done ? status : -2;
}

int main(int argc, char **argv) {
  /* Started by the daemon to hold one isolated plugin. */
  if (argc == 3 && strcmp(argv[1], HOST_MODE_SWITCH) == 0)
    return host_main(argv[2]);

  cmdline_t cl;
  parse_args(argc, argv, &cl);
  /* A service manager that waits for READY=1 follows this process: it
   * stays in the foreground, as collectd 5.12 does then. */
  if (service_notify_wanted())
    cl.foreground = true;

  if (signals_init() != 0) {
    fprintf(stderr, "cannot set up signal handling: %s\n", STRERRNO);
    return EXIT_FAILURE;
  }
  plugin_init_ctx();

  /* SIGTERM from here to the main loop is bounded too. */
  exit_watch_arm(exit_bound());
  if (cf_read(cl.config_file) != 0) {
    ERROR("Error: reading the configuration file \"%s\" failed",
          cl.config_file);
    shutdown_all(false);
    cf_free();
    exit_watch_stop();
    return EXIT_FAILURE;
  }

  exit_watch_arm(exit_bound()); /* the configured bound */
  bool stop = false;
  fc__init();
  if (cl.test_config) {
    int status = cf_load_plugins(true, &stop);
    if (!stop && cf_configure_chains() != 0)
      status = -1;
    shutdown_all(false);
    cf_free();
    exit_watch_stop();
    return status == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
  }

  if (enter_basedir(cl.create_basedir) != 0) {
    exit_watch_disarm();
    cf_free();
    return EXIT_FAILURE;
  }
  if (!cl.test_readall && pidfile_take() < 0) {
    exit_watch_disarm();
    cf_free();
    return EXIT_FAILURE;
  }
  /* The arming thread would not survive the fork. */
  exit_watch_disarm();
  if (!cl.foreground && daemonize() != 0)
    return EXIT_FAILURE;
  exit_watch_arm(exit_bound());
  if (pidfile_fd >= 0)
    pidfile_write();

  uc_init();
  plugin__write_start((int)global_option_get_long("WriteThreads", 5));
  plugin__log_enable(true);
  read_sched_set_max_interval(global_option_get_time(
      "MaxReadInterval", TIME_T_TO_CDTIME_T_STATIC(86400)));

  int exit_status = EXIT_SUCCESS;
  int status = cf_load_plugins(false, &stop);
  if (!stop && cf_configure_chains() != 0)
    stop = true;
  if (!stop && cf_init_plugins(&stop) != 0)
    status = -1;
  bool interrupted = signals_stop_requested();
  if (stop) {
    exit_status = EXIT_FAILURE;
  } else if (interrupted) {
    INFO("Exiting normally: told to stop during the start-up.");
  } else if (cl.test_readall) {
    exit_status = plugin_read_all_once() == 0 && status == 0 ? EXIT_SUCCESS
                                                             : EXIT_FAILURE;
  } else {
    plugin_control_started();
    internal_stats_register();
    plugin__read_start((int)global_option_get_long("ReadThreads", 5));
    plugin__restart_start();
    INFO("Initialization complete, entering read-loop.");
    exit_watch_disarm(); /* the main loop sees a stop from now on */
    service_notify_ready();
    main_loop();
    service_notify("STOPPING=1");
    if (plugin_control_failure_shutdown())
      exit_status = EXIT_FAILURE;
  }

  status = shutdown_all(!stop && !interrupted && !cl.test_readall);
  if (status != 0 && status != -2 && exit_status == EXIT_SUCCESS)
    INFO("some shutdown callbacks failed");
  pidfile_remove();
  /* A LOAD, UNLOAD or RELOAD that did not end may hold the dynamic linker,
   * which the exit handlers would wait for. */
  if (status == -2)
    exit_now(EXIT_FAILURE);
  cf_free();
  free(hostname_g);
  hostname_g = NULL;
  exit_watch_stop();
  return exit_status;
}
