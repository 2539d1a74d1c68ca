// Serves the owner's embedded database to other processes in the same DATA_DIR over a Unix
// socket (file permissions keep it to this user). A client transaction holds the database
// until it commits, rolls back or the client goes away.
import net from "node:net";
import { decode, encode, lineReader, requestSchema, type WireRequest, type WireResponse } from "./wire.ts";
import { unlinkQuietly } from "./owner-lock.ts";
import { createDispatcher, errorReply, type EmbeddedTarget } from "./dispatch.ts";

export async function serveEmbedded(target: EmbeddedTarget, file: string): Promise<{ close(): Promise<void> }> {
  unlinkQuietly(file);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const reply = (response: WireResponse) => {
      if (!socket.destroyed) socket.write(encode(response));
    };
    const dispatcher = createDispatcher(target, reply);
    socket.on(
      "data",
      lineReader((line) => {
        let request: WireRequest;
        try {
          request = requestSchema.parse(decode(line));
        } catch (error) {
          reply(errorReply(-1, error));
          return;
        }
        dispatcher.handle(request);
      }),
    );
    socket.on("close", () => {
      sockets.delete(socket);
      dispatcher.abandon();
    });
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(file, () => resolve());
  });
  return {
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      unlinkQuietly(file);
    },
  };
}
