// Package systemd holds the files that make a machine a tramso kiosk under systemd, and the checks for
// them. The files themselves are installed by the Debian package (packaging/):
//
//   - kioskd.service: the kiosk daemon, Type=notify with a watchdog, restarted on failure and escalating
//     to a reboot, hardened down to the device groups it needs.
//   - kiosk-ui.service: the touchscreen, cage with XWayland running kiosk-ui on tty1, without network.
//   - tramso.sysusers, tramso.tmpfiles: the service users and their directories.
//   - 70-tramso.rules and tramso-device-name: stable device names under /dev/tramso/.
//   - lockdown/: no VT switching, no consoles, no Ctrl+Alt+Del or SysRq on the kiosk display.
//
// The Go code is the udev rules reader used by the tests (and by tools that explain which rule names a
// device): a typo in a rules file is otherwise only logged by udev on the kiosk and the device silently
// keeps its kernel name.
package systemd
