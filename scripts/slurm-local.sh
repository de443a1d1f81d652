#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for testing `cvr run --executor slurm` for real.
#
#   scripts/slurm-local.sh start    install munge + slurmctld + slurmd (Debian packages) when
#                                   missing, write /etc/slurm/slurm.conf for this host, start them
#   scripts/slurm-local.sh stop     stop slurmd, slurmctld and munged (the packages, the config
#                                   and the munge key stay; a munged run by systemd is left)
#   scripts/slurm-local.sh status   exit 0 when the cluster answers
#
# Needs root (apt-get, daemons as root). State, logs and the job-completion log are in
# $CVR_SLURM_DIR (default /var/tmp/cvr-slurm). No slurmdbd: job states come from squeue while a
# job lives and from `sacct --completion` (the jobcomp/filetxt log) once it ended.
set -euo pipefail

DIR=${CVR_SLURM_DIR:-/var/tmp/cvr-slurm}
CONF=/etc/slurm/slurm.conf
MARK='# written by cvr scripts/slurm-local.sh'
HOST=$(hostname -s)
CPUS=${CVR_SLURM_CPUS:-$(nproc)}

say() { echo "slurm-local: $*" >&2; }

install_packages() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && command -v munged >/dev/null; then return; fi
  if [ "$(id -u)" != 0 ]; then say "slurmctld/slurmd/munge are missing and installing them needs root"; exit 1; fi
  say "installing munge, slurmctld, slurmd, slurm-client"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends munge slurmctld slurmd slurm-client >/dev/null
}

write_conf() {
  if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
    say "$CONF exists and was not written by this script; leaving it as it is"
    return
  fi
  mkdir -p /etc/slurm "$DIR/state" "$DIR/spool"
  local mem
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  cat >"$CONF" <<EOF
$MARK
ClusterName=cvrlocal
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
# No cgroups: this runs inside containers too.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
# Job states after a job ended, without slurmdbd: sacct --completion reads this log.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.log
MinJobAge=3600
KillWait=10
SlurmdTimeout=60
NodeName=$HOST CPUs=$CPUS RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

running() { [ -f "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

start() {
  install_packages
  write_conf
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  [ -f /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
  if ! pgrep -x munged >/dev/null; then
    if id munge >/dev/null 2>&1; then runuser -u munge -- /usr/sbin/munged; else /usr/sbin/munged --force; fi
  fi
  running slurmctld || /usr/sbin/slurmctld -i
  running slurmd || /usr/sbin/slurmd
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      say "up: node $HOST, $CPUS CPUs, partition debug ($DIR)"
      return 0
    fi
    scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true
    sleep 1
  done
  say "the cluster did not come up; logs: $DIR/slurmctld.log $DIR/slurmd.log"
  tail -n 20 "$DIR/slurmctld.log" "$DIR/slurmd.log" >&2 || true
  exit 1
}

stop() {
  scancel --user="$(id -un)" >/dev/null 2>&1 || true
  for d in slurmd slurmctld; do
    if running "$d"; then kill "$(cat "$DIR/$d.pid")" 2>/dev/null || true; fi
  done
  for _ in $(seq 1 20); do running slurmd || running slurmctld || break; sleep 0.5; done
  stop_munged
  say "stopped"
}

# munged as started above (no systemd in containers); one that systemd runs belongs to the system.
stop_munged() {
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ] && systemctl is-active --quiet munge 2>/dev/null; then return; fi
  pgrep -x munged >/dev/null || return 0
  /usr/sbin/munged --stop >/dev/null 2>&1 || { [ -f /run/munge/munged.pid ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null; } || true
  for _ in $(seq 1 20); do pgrep -x munged >/dev/null || return 0; sleep 0.25; done
  say "munged did not stop (pid $(pgrep -x munged | tr '\n' ' '))"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)' ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
