// Puts a browser context's chat traffic under the test's control, to stage outages and
// networks that block WebSockets. Everything still goes to the real server on 127.0.0.1.
export async function controlNetwork(context) {
  const net = { webSocketBlocked: false, longPollBlocked: false, open: new Set(), webSocketsOpened: 0 };
  await context.routeWebSocket(/\/socket\/websocket/, (ws) => {
    if (net.webSocketBlocked) {
      // As behind a proxy that does not pass upgrades.
      ws.close({ code: 1006, reason: 'blocked' });
      return;
    }
    const server = ws.connectToServer();
    const pair = { ws, server };
    net.open.add(pair);
    net.webSocketsOpened += 1;
    ws.onClose(() => net.open.delete(pair));
    server.onClose((code, reason) => { net.open.delete(pair); ws.close({ code, reason }).catch(() => {}); });
  });
  await context.route(/\/socket\/longpoll/, (route) =>
    (net.longPollBlocked ? route.abort('connectionrefused') : route.continue()));
  // Drops every open WebSocket abnormally, as a network outage would.
  net.dropWebSockets = async () => {
    for (const { ws, server } of [...net.open]) {
      net.open.delete({ ws, server });
      await ws.close({ code: 1006, reason: 'network down' }).catch(() => {});
      await server.close().catch(() => {});
    }
    net.open.clear();
  };
  net.down = async () => {
    net.webSocketBlocked = true;
    net.longPollBlocked = true;
    await net.dropWebSockets();
  };
  net.up = () => {
    net.webSocketBlocked = false;
    net.longPollBlocked = false;
  };
  return net;
}
