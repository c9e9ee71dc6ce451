"""A ten-line actionq worker: resize images until SIGTERM."""

import asyncio

from actionq import Action, AsyncClient, Result, Worker


async def resize(action: Action) -> Result:
    width = action.payload["width"]
    return Result(ref=f"thumbs/{action.target_ref}", data={"width": width})


async def main() -> None:
    worker = Worker(AsyncClient(), resize, name="worker:resize", action_types=["resize"])
    await worker.run(install_signals=True)


if __name__ == "__main__":
    asyncio.run(main())
