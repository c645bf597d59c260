import { join } from 'node:path';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Predict, type PredictHandlerResult, Servable, type TensorData } from 'nest-model-serving';
import { MODELS_DIR } from '../models-dir.js';
import { IrisMeasurementsDto } from './iris-measurements.dto.js';

export const IRIS_SPECIES = ['setosa', 'versicolor', 'virginica'] as const;

export interface IrisClassification {
  species: (typeof IRIS_SPECIES)[number];
  probabilities: Record<(typeof IRIS_SPECIES)[number], number>;
}

/** A custom inference route: validated measurements in, a named species out. */
@Servable({
  name: 'iris',
  basePath: join(MODELS_DIR, 'iris'),
  versionPolicy: { all: true },
  versionLabels: { stable: 2, previous: 1 },
})
@Controller('iris')
export class IrisController {
  @Post('classify')
  @HttpCode(200)
  @Predict({ label: 'stable' })
  classify(@Body() flower: IrisMeasurementsDto): PredictHandlerResult<IrisClassification> {
    const { sepalLength, sepalWidth, petalLength, petalWidth } = flower;
    return {
      inputs: { features: [[sepalLength, sepalWidth, petalLength, petalWidth]] },
      postprocess: ({ probabilities }: Record<string, TensorData>) => {
        const scores = Array.from(probabilities!.data as Float32Array);
        const best = scores.indexOf(Math.max(...scores));
        return {
          species: IRIS_SPECIES[best]!,
          probabilities: Object.fromEntries(
            IRIS_SPECIES.map((s, i) => [s, scores[i]!]),
          ) as IrisClassification['probabilities'],
        };
      },
    };
  }
}
